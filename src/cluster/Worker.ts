/**
 * A worker: a cluster runner that owns some host buckets and fetches the batches sent to them
 * with volley's own Fetcher (the same retries, time-outs and per-host gates as a local run),
 * storing each record as soon as it is fetched.
 *
 * @module
 */
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { encodeRecord } from "../domain/RecordJson.js"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { Fetcher } from "../http/Fetcher.js"
import type { FetchOptions } from "../http/FetchOptions.js"
import { type ClusterError, clusterError } from "./ClusterError.js"
import { type HostPort, lockExpiry, pgLayer, runnerLayer } from "./ClusterLayer.js"
import { makePermits, type Permits } from "./Permits.js"
import { holdsOwnShards } from "./Placement.js"
import { type BatchInput, HostBucket } from "./Protocol.js"
import { makeResultWriter, type ResultWriter } from "./ResultWriter.js"
import { decodeSettings, fetchOptionsOf, type RunSettings, safeMethods } from "./RunSettings.js"
import { claimSend, ensureSchema, runSettings, runState, storedIndices } from "./Store.js"

export interface WorkerOptions {
  readonly url: string
  /** Requests in flight at once in this worker, over all its buckets and runs. */
  readonly concurrency: number
  /**
   * Batches of one bucket handled at once (1, as `@effect/cluster`'s default). Unbounded once
   * measured ~10× slower, but that was the permit herd `Permits.ts` removes: every input of every
   * batch started at once waited on an `Effect.Semaphore` (PERFORMANCE.md, "Cluster mode").
   */
  readonly bucketConcurrency: number
  readonly listen: HostPort
  readonly advertise: HostPort
  readonly env: Readonly<Record<string, string | undefined>>
  /** Told of each batch as it starts (`volley worker --verbose` prints a line). */
  readonly onBatch?:
    | ((batch: { run: string; chunk: number; bucket: number; inputs: number; stored: number }) => Effect.Effect<void>)
    | undefined
}

/** The record of an unsafe request a dead worker may have sent: not sent again, its outcome unknown. */
const outcomeUnknown = (input: BatchInput, method: string): FetchRecord => ({
  index: input.index,
  url: input.request.url,
  ok: false,
  attempts: 0,
  ms: 0,
  error: {
    _tag: "OutcomeUnknown",
    message:
      `outcome unknown: a worker that stopped may have sent this ${method} before its answer was stored; not sent again (--resend-unsafe sends it)`
  },
  ...(input.id === undefined ? {} : { id: input.id })
})

const toIndexed = (input: BatchInput): IndexedRequest => ({
  index: input.index,
  request: input.request,
  ...(input.id === undefined ? {} : { id: input.id }),
  ...(input.invalid === undefined ? {} : { invalid: input.invalid })
})

// A database that is briefly unreachable should not cost a batch: a few tries, then the batch
// fails as a defect and the cluster delivers it again.
const databaseRetry = Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(5)))

/** The entity's handlers, sharing one concurrency limit for the whole process. */
const bucketHandlers = (permits: Permits, writer: ResultWriter, onBatch: WorkerOptions["onBatch"]) =>
  Effect.gen(function*() {
    const fetcher = yield* Fetcher
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const scope = yield* Effect.scope
    // Per run in this bucket, made once: its options (and so one per-host gate), and whether it
    // was cancelled — asked again while a batch is fetched, at most once a second per run rather
    // than once per input, so `volley runs cancel` stops a large batch too (a batch holds tens of
    // inputs, one host's chunk all of them), not only the batches not yet begun.
    const runs = new Map<string, {
      readonly load: Effect.Effect<{ readonly options: FetchOptions; readonly settings: RunSettings }, ClusterError>
      readonly cancelled: Effect.Effect<boolean, ClusterError>
    }>()
    const runFor = Effect.fnUntraced(function*(run: string) {
      const known = runs.get(run)
      if (known !== undefined) return known
      const load = yield* Effect.cached(
        runSettings(run).pipe(
          Effect.flatMap((text) =>
            Effect.mapError(decodeSettings(text), clusterError(`the settings of run ${run} cannot be read`))
          ),
          Effect.flatMap((settings) =>
            Effect.map(Scope.extend(fetchOptionsOf(settings), scope), (options) => ({ options, settings }))
          ),
          Effect.provide(context)
        )
      )
      const cancelled = yield* Effect.cachedWithTTL(
        runState(run).pipe(
          Effect.retry(databaseRetry),
          Effect.map((state) => state.cancelled),
          Effect.provide(context)
        ),
        "1 second"
      )
      const entry = { load, cancelled }
      runs.set(run, entry)
      return entry
    })
    const optionsFor = (run: string) => Effect.flatMap(runFor(run), (entry) => entry.load)
    const cancelledNow = (run: string) => Effect.flatMap(runFor(run), (entry) => entry.cancelled)
    return HostBucket.of({
      FetchBatch: ({ payload }) =>
        Effect.gen(function*() {
          // A cancelled run's batches are acknowledged unfetched (`volley runs cancel`).
          const state = yield* runState(payload.run).pipe(Effect.retry(databaseRetry))
          if (state.cancelled) return 0
          const { options, settings } = yield* optionsFor(payload.run)
          const stored = yield* storedIndices(payload.run, payload.inputs.map((input) => input.index)).pipe(
            Effect.retry(databaseRetry)
          )
          // A batch delivered again (its worker died before the reply was stored) skips the stored.
          const todo = payload.inputs.filter((input) => !stored.has(input.index))
          if (onBatch !== undefined) {
            yield* onBatch({
              run: payload.run,
              chunk: payload.chunk,
              bucket: payload.bucket,
              inputs: payload.inputs.length,
              stored: stored.size
            })
          }
          // Undefined: the run was cancelled while this input waited; it is not fetched.
          const fetchOne = (
            input: BatchInput
          ): Effect.Effect<FetchRecord | undefined, ClusterError, SqlClient.SqlClient> => {
            const send = permits.withPermit(
              Effect.flatMap(
                cancelledNow(payload.run),
                (cancelled): Effect.Effect<FetchRecord | undefined> =>
                  cancelled ? Effect.succeed(undefined) : fetcher.fetchOne(toIndexed(input), options)
              )
            )
            const method = (input.request.method ?? settings.method).toUpperCase()
            if (settings.resendUnsafe || safeMethods.has(method) || input.invalid !== undefined) return send
            // Not safe to repeat: sent only by the first delivery that claims it.
            return Effect.flatMap(
              claimSend(payload.run, input.index).pipe(Effect.retry(databaseRetry)),
              (claimed) => claimed ? send : Effect.succeed(outcomeUnknown(input, method))
            )
          }
          yield* Effect.forEach(todo, (input) =>
            fetchOne(input).pipe(
              Effect.flatMap((record) =>
                record === undefined
                  ? Effect.void
                  : writer.store(payload.run, { index: record.index, ok: record.ok, record: encodeRecord(record) })
              )
            ), { concurrency: "unbounded", discard: true })
          return todo.length
        }).pipe(Effect.provide(context), Effect.orDie)
    })
  })

/**
 * The worker as a layer: running while the layer lives; closing it drains and leaves the
 * cluster. volley's tables have a pool of their own: the cluster's storage (shard locks,
 * messages) never waits behind the records being stored. Built once the worker holds the shards
 * the cluster gives it (at most a lock expiry): joining moves shards from the workers already
 * there, and a run submitted meanwhile would start on them and move mid-batch.
 */
export const workerLayer = (options: WorkerOptions) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    yield* ensureSchema
    const permits = makePermits(options.concurrency)
    return HostBucket.toLayer(bucketHandlers(permits, makeResultWriter(), options.onBatch), {
      concurrency: options.bucketConcurrency,
      mailboxCapacity: "unbounded"
    })
  })).pipe(
    Layer.provide(pgLayer(options.url, 4)),
    Layer.provideMerge(runnerLayer(options.url, options.env, { listen: options.listen, advertise: options.advertise })),
    Layer.tap((context) =>
      Effect.repeat(holdsOwnShards(RunnerAddress.make(options.advertise.host, options.advertise.port)), {
        until: (holds) => holds,
        schedule: Schedule.spaced("100 millis")
      }).pipe(Effect.timeoutOption(lockExpiry(options.env)), Effect.provide(context))
    )
  )
