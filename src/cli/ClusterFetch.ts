/**
 * `volley fetch … --cluster URL`: the run is submitted to the cluster instead of fetched here,
 * and its records are written as the workers store them, with the same writer, formats,
 * progress and summary as a local run.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { runOutcome } from "../domain/RunOutcome.js"
import { UsageError } from "../domain/UsageError.js"
import type { FetchOptions } from "../http/FetchOptions.js"
import type { OutputFormat } from "../report/OutputFormat.js"
import type { OutputTarget } from "../report/RecordWriter.js"
import { Stderr } from "../report/Stdout.js"
import { clusterUrl } from "./ClusterFlags.js"
import { writeRecordJob } from "./FetchJob.js"
import { lazyModule } from "./LazyModule.js"

/** What `volley fetch` hands over once its flags are checked. */
export interface ClusterFetch {
  readonly url: string
  readonly buckets: number
  readonly chunkSize: number
  readonly resendUnsafe: boolean
  readonly requests: Stream.Stream<IndexedRequest, UsageError>
  readonly total: number | undefined
  readonly format: OutputFormat
  readonly target: OutputTarget
  readonly progress: boolean
  readonly request: {
    readonly method: string
    readonly headers: Readonly<Record<string, string>>
    readonly body: string | Uint8Array | undefined
  }
  readonly fetch: FetchOptions
  readonly perHost: number | undefined
  /** Flags given that the cluster mode does not carry to the workers yet (refused, by name). */
  readonly unsupported: ReadonlyArray<string>
}

/** The database or the cluster could not be used: a set-up error (exit 2), said in one line. */
export const setUpFailure = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.catchIf(
    self,
    (error): error is Extract<E, { readonly _tag: "ClusterError"; readonly message: string }> =>
      typeof error === "object" && error !== null && "_tag" in error && error._tag === "ClusterError",
    (error) => new UsageError({ message: error.message })
  )

export const clusterFetch = Effect.fnUntraced(function*(job: ClusterFetch) {
  const url = yield* clusterUrl(job.url)
  if (job.unsupported.length > 0) {
    return yield* new UsageError({ message: `--cluster does not take ${job.unsupported.join(", ")} yet` })
  }
  if (job.request.body instanceof Uint8Array) {
    return yield* new UsageError({ message: "--cluster does not take a multipart body (--form) yet" })
  }
  if (job.format === "har") return yield* new UsageError({ message: "--cluster does not write HAR yet" })
  const cluster = yield* lazyModule(() => import("./ClusterModules.js"))
  // The request's method, headers and body are in `job.fetch` too (the headers redacted there).
  const settings = cluster.settingsFromFetch(job.fetch, { perHost: job.perHost, resendUnsafe: job.resendUnsafe })
  const stderr = yield* Stderr
  const summary = yield* Effect.gen(function*() {
    const { records, run } = yield* cluster.submitRun(job.requests, {
      settings,
      buckets: job.buckets,
      chunkSize: job.chunkSize,
      onSubmitted: (total) =>
        stderr.write(`volley: all ${total} inputs submitted; the run no longer needs this process\n`)
    })
    yield* stderr.write(
      `volley: run ${run} submitted to ${cluster.safeUrl(url)} (re-attach: volley runs results ${run} --cluster URL)\n`
    )
    return yield* writeRecordJob({
      total: job.total,
      format: job.format,
      target: job.target,
      progress: job.progress,
      summary: true,
      batchSize: undefined,
      fetch: job.fetch,
      // On a stop the records stop being read; the run goes on (volley runs results RUN).
      records: (_fetch, stopped) => Stream.takeWhile(records, () => !stopped())
    })
  }).pipe(Effect.scoped, Effect.provide(cluster.clientLayer(url, process.env)), setUpFailure)
  return yield* runOutcome(summary)
})
