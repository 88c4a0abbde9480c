/**
 * `volley fetch` as an Effect program: inputs in, records out in input order, progress and a
 * summary on stderr. It is what the command runs and what a library user can embed.
 *
 * @module
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type { FetchRecord } from "../domain/FetchRecord.js"
import type { OutputClosed, OutputError } from "../domain/OutputError.js"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import type { UsageError } from "../domain/UsageError.js"
import { type RunOptions, runStream } from "../engine/Runner.js"
import { makeRunStats, type RunSummary } from "../engine/RunStats.js"
import { gracefully, stopCheck, stopRequested } from "../engine/Shutdown.js"
import { makeExchangeLog } from "../http/ExchangeLog.js"
import type { Fetcher } from "../http/Fetcher.js"
import { openOutput, type OutputFormat } from "../report/OutputFormat.js"
import { makeProgress } from "../report/Progress.js"
import type { OutputTarget } from "../report/RecordWriter.js"
import { Stderr, type Stdout } from "../report/Stdout.js"
import { renderSummary } from "../report/SummaryText.js"

export interface FetchJob<E, R> {
  readonly inputs: Stream.Stream<IndexedRequest, E, R>
  /** The number of inputs when known in advance (for the progress bar's total and ETA). */
  readonly total: number | undefined
  readonly run: RunOptions
  /** A record format (ndjson, json, csv) or a report (junit, har). */
  readonly format: OutputFormat
  readonly target: OutputTarget
  /** Draw a progress bar on stderr. */
  readonly progress: boolean
  /** Print the summary on stderr at the end (also after an interruption). */
  readonly summary: boolean
}

/**
 * Runs a fetch job and returns its summary; records are written as they come, in input order.
 * A record counts as done once it is written: a failed write ends the run (`OutputError`, or
 * `OutputClosed` when the reader of stdout went away, after which nothing more is printed).
 */
export const runFetchJob = <E, R>(
  job: FetchJob<E, R>
): Effect.Effect<
  RunSummary,
  E | UsageError | OutputError | OutputClosed,
  R | Fetcher | Stdout | Stderr | FileSystem.FileSystem
> =>
  writeRecordJob({
    ...job,
    batchSize: job.run.batchSize,
    fetch: job.run.fetch,
    records: (run, stopped) => runStream(job.inputs, { ...job.run, fetch: run }, stopped)
  })

/**
 * The output side of a job: records from `records` (given the fetch options, which a HAR log
 * extends, and the stop check) written in the order they come, with progress and the summary.
 * A local run fetches them; a cluster run (`--cluster`) reads them as the workers store them.
 */
export interface RecordJob<E, R> extends Omit<FetchJob<never, never>, "inputs" | "run"> {
  readonly batchSize: number | undefined
  readonly fetch: RunOptions["fetch"]
  readonly records: (fetch: RunOptions["fetch"], stopped: () => boolean) => Stream.Stream<FetchRecord, E, R>
}

export const writeRecordJob = <E, R>(
  job: RecordJob<E, R>
): Effect.Effect<
  RunSummary,
  E | UsageError | OutputError | OutputClosed,
  R | Stdout | Stderr | FileSystem.FileSystem
> =>
  Effect.scoped(Effect.gen(function*() {
    const stderr = yield* Stderr
    const stats = makeRunStats(yield* Clock.currentTimeMillis)
    const batchSize = job.batchSize
    const batches = (done: number) => batchSize === undefined ? undefined : Math.ceil(done / batchSize)
    const summarize = (interrupted: boolean) =>
      Effect.map(Clock.currentTimeMillis, (now) => stats.summary(now, { batches: batches(stats.done()), interrupted }))

    // Registered first so it runs last: after the bar is cleared and the output is closed.
    yield* Effect.addFinalizer((exit) =>
      Effect.gen(function*() {
        const interrupted = Exit.isInterrupted(exit) || (yield* stopRequested)
        // The reader went away (`| head`): quiet, as the shell tools are.
        const readerGone = Exit.isFailure(exit) &&
          Cause.failures(exit.cause).pipe((failures) =>
            [...failures].some((error) =>
              typeof error === "object" && error !== null && "_tag" in error && error._tag === "OutputClosed"
            )
          )
        if (job.summary && !readerGone) yield* stderr.write(renderSummary(yield* summarize(interrupted)))
      })
    )
    // HAR needs each record's headers and body text: the Fetcher hands them over through a log.
    const exchanges = job.format === "har" ? makeExchangeLog() : undefined
    // HAR wants every answer's headers, HTTP version and phases: kept as --include-headers and
    // --timings keep them.
    const fetch = exchanges === undefined
      ? job.fetch
      : { ...job.fetch, exchanges, includeHeaders: true, timings: true }
    const writer = yield* openOutput(job.format, job.target, { exchanges })
    const progress = yield* makeProgress({ enabled: job.progress, total: job.total })

    // On a stop request no new input is taken; requests in flight finish and are written.
    yield* gracefully(
      job.records(fetch, yield* stopCheck()).pipe(
        Stream.runForEachChunk((records) =>
          // Counted once written: the summary never reports a record the output did not get.
          Effect.map(writer.write(records), () => {
            for (const record of records) stats.add(record)
            progress.update(stats.done(), stats.failed())
          })
        )
      )
    )
    yield* writer.close
    return yield* summarize(yield* stopRequested)
  }))
