/**
 * Submitting a run and reading its records back: the input is streamed in chunks, each chunk
 * split by host bucket into persisted batches; the records come back from the results table in
 * input order, as soon as each next one is stored.
 *
 * @module
 */
import type * as Sharding from "@effect/cluster/Sharding"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { parseExactJson } from "../domain/ExactJson.js"
import { FetchRecord } from "../domain/FetchRecord.js"
import { keepJsonText } from "../domain/RecordJson.js"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { type ClusterError, clusterError, RunCancelled } from "./ClusterError.js"
import { emptyPlacement, placeChunk } from "./Placement.js"
import { type BatchInput, HostBucket, hostOf } from "./Protocol.js"
import { encodeSettings, type RunSettings } from "./RunSettings.js"
import { retrySocketDefects } from "./SocketRetry.js"
import { ensureSchema, insertRun, type ResultRow, resultsFrom, runState, setTotal } from "./Store.js"

export interface SubmitOptions {
  /** Told once every input has been sent (stored as messages): the run no longer needs this process. */
  readonly onSubmitted?: ((total: number) => Effect.Effect<void>) | undefined
  readonly settings: RunSettings
  /** Host buckets (entities) of the run: more than workers × cores spreads the load. */
  readonly buckets: number
  /** Inputs per chunk; a chunk makes one batch per bucket it touches. */
  readonly chunkSize: number
  /** The run's id; a new one when not given. */
  readonly run?: string | undefined
  /**
   * The run may have been submitted before (a workflow step's activity run again after a crash):
   * its batches are sent again under the same keys, so nothing stored is fetched twice.
   */
  readonly again?: boolean | undefined
}

/** A new run id: time-ordered, unique enough for one cluster. */
export const newRunId = (): string =>
  `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0")}`

const decodeRecord = Schema.decodeUnknownEither(FetchRecord)

/** A stored row as the record it was: numbers kept exact as the worker wrote them. */
export const recordOf = (run: string, row: ResultRow): Effect.Effect<FetchRecord, ClusterError> => {
  const parsed = parseExactJson(row.record)
  const decoded = parsed === undefined ? undefined : decodeRecord(parsed.value)
  return decoded === undefined || Either.isLeft(decoded)
    ? Effect.fail(clusterError(`reading the records of run ${run}`)(`record ${row.index} is not a volley record`))
    : Effect.succeed(keepJsonText(decoded.right, undefined, parsed?.exact === true))
}

/**
 * The records of a run in input order, from `from` on, as they are stored; the stream ends after
 * the last one once the run's size is known (`total`, or the run's row when the size is stored).
 */
export const runRecords = (
  run: string,
  options: { readonly from?: number; readonly total?: Effect.Effect<number | undefined>; readonly follow?: boolean } =
    {}
): Stream.Stream<FetchRecord, ClusterError | RunCancelled, SqlClient.SqlClient> => {
  // An unreadable state keeps polling, as a missing record does; a cancelled run ends the stream.
  const stateNow = runState(run).pipe(Effect.orElseSucceed(() => ({ total: undefined, cancelled: false })))
  return Stream.paginateChunkEffect(options.from ?? 0, (next) =>
    Effect.gen(function*() {
      const rows = yield* resultsFrom(run, next, 1000)
      // Only the unbroken run of indices from `next` goes out: the output stays in input order.
      let upTo = 0
      while (upTo < rows.length && rows[upTo]!.index === next + upTo) upTo++
      const records = yield* Effect.forEach(rows.slice(0, upTo), (row) => recordOf(run, row))
      const after = next + upTo
      if (upTo > 0) return [Chunk.unsafeFromArray(records), Option.some(after)] as const
      const state = yield* stateNow
      const total = (options.total === undefined ? undefined : yield* options.total) ?? state.total
      if (total !== undefined && after >= total) return [Chunk.empty<FetchRecord>(), Option.none()] as const
      if (state.cancelled) {
        return yield* new RunCancelled({
          run,
          message: `run ${run} was cancelled (volley runs cancel); ${after} records in order were read`
        })
      }
      if (options.follow === false) return [Chunk.empty<FetchRecord>(), Option.none()] as const
      // Polled: the table is the one place every worker's records meet.
      yield* Effect.sleep("100 millis")
      return [Chunk.empty<FetchRecord>(), Option.some(after)] as const
    }))
}

/**
 * Submits the inputs as a run and returns its id and its records (in input order, as stored).
 * Sending runs beside the reading: a send that fails ends the records stream with its error.
 */
export const submitRun = <E, R>(inputs: Stream.Stream<IndexedRequest, E, R>, options: SubmitOptions) =>
  Effect.gen(function*() {
    yield* ensureSchema
    const run = options.run ?? newRunId()
    yield* insertRun(
      { id: run, buckets: options.buckets, settings: encodeSettings(options.settings) },
      options.again === true
    )
    const client = yield* HostBucket.client
    const sent = yield* Ref.make<number | undefined>(undefined)
    // This run's hosts and their buckets, as placed so far (Placement.ts).
    const placement = emptyPlacement()
    const cluster = yield* Effect.context<Sharding.Sharding | SqlClient.SqlClient>()
    const sendChunk = (chunk: Chunk.Chunk<IndexedRequest>, chunkIndex: number) =>
      Effect.gen(function*() {
        // Each input's host, parsed once: counted here, looked up below.
        const inputs = Chunk.toReadonlyArray(chunk)
        const inputHosts = inputs.map((input) => hostOf(input.request.url))
        const hosts = new Map<string, number>()
        for (const host of inputHosts) hosts.set(host, (hosts.get(host) ?? 0) + 1)
        const bucketOfHost = yield* Effect.provide(placeChunk(run, placement, hosts, options.buckets), cluster)
        const byBucket = new Map<number, Array<BatchInput>>()
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i]!
          const bucket = bucketOfHost.get(inputHosts[i]!)!
          let list = byBucket.get(bucket)
          if (list === undefined) byBucket.set(bucket, list = [])
          list.push({
            index: input.index,
            request: input.request,
            ...(input.id === undefined ? {} : { id: input.id }),
            ...(input.invalid === undefined ? {} : { invalid: input.invalid })
          })
        }
        const doing = `sending chunk ${chunkIndex} of run ${run}`
        yield* Effect.forEach(
          byBucket,
          ([bucket, batch]) =>
            client(String(bucket)).FetchBatch({ run, chunk: chunkIndex, bucket, inputs: batch }, { discard: true })
              .pipe(
                Effect.mapError(clusterError(doing)),
                // The batch is stored before its runner is told; a socket to a runner that died fails
                // the telling. Sent again, it is the same message (its primary key), stored once.
                retrySocketDefects(doing)
              ),
          { concurrency: 16, discard: true }
        )
      })
    const send = inputs.pipe(
      Stream.grouped(Math.max(1, options.chunkSize)),
      Stream.zipWithIndex,
      Stream.runFoldEffect(
        0,
        (count, [chunk, chunkIndex]) => Effect.as(sendChunk(chunk, chunkIndex), count + Chunk.size(chunk))
      ),
      Effect.tap((total) =>
        Effect.zipRight(setTotal(run, total), Ref.set(sent, total)).pipe(
          Effect.zipRight(options.onSubmitted === undefined ? Effect.void : options.onSubmitted(total))
        )
      )
    )
    const records: Stream.Stream<FetchRecord, E | ClusterError | RunCancelled, R | SqlClient.SqlClient> = Stream.merge(
      Stream.drain(Stream.fromEffect(send)),
      runRecords(run, { total: Ref.get(sent) }),
      { haltStrategy: "right" }
    )
    return { run, records }
  })

export type SubmitRequirements = Sharding.Sharding | SqlClient.SqlClient
