/**
 * Runs many requests: bounded concurrency, results in input order, one failure never stopping
 * the others (unless fail-fast), and the input consumed as a stream so memory depends on the
 * concurrency, not on the number of URLs.
 *
 * @module
 */
import { Cause, Chunk, Data, Effect, Exit, Fiber, Option, Queue, Stream } from "effect"
import type { FetchOptions } from "../domain/FetchOptions.js"
import { makeFetchOptions } from "../domain/FetchOptions.js"
import type { FetchRecord } from "../domain/FetchRecord.js"
import type { IndexedRequest, RequestSpec } from "../domain/RequestSpec.js"
import { Fetcher } from "../http/Fetcher.js"

/** How a run fans out. */
export interface RunOptions {
  /** Requests in flight at once. */
  readonly concurrency: number
  /** Stop at the first failed record (it is still emitted). */
  readonly failFast: boolean
  /** When set, inputs go in batches of this size: a batch starts when the previous one is done. */
  readonly batchSize: number | undefined
  readonly fetch: FetchOptions
}

export const defaultRunOptions: RunOptions = {
  concurrency: 10,
  failFast: false,
  batchSize: undefined,
  fetch: makeFetchOptions()
}

/**
 * Runs `f` over the stream with at most `concurrency` calls in flight, emitting results in input
 * order.
 *
 * A real pool: a request starts as soon as any other finishes, so one slow answer does not hold
 * back the requests after it (it only holds back their emission, and at most a bounded number of
 * finished results wait behind it). Inputs are taken by one producer fiber a chunk at a time —
 * no stream step per request (`Stream.mapEffect` with `concurrency` costs a channel step per
 * element, which capped throughput) — each request runs in its own fiber, and a bounded queue of
 * those fibers, in input order, is drained by the output stream.
 *
 * When `stopped` turns true, no further input is started; those started finish and are emitted.
 */
const orderedPool = <A, B, E, R, E2, R2>(
  inputs: Stream.Stream<A, E, R>,
  f: (a: A) => Effect.Effect<B, E2, R2>,
  concurrency: number,
  stopped: Effect.Effect<boolean>
): Stream.Stream<B, E | E2, R | R2> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const permits = yield* Effect.makeSemaphore(concurrency)
    // Each slot is the outcome of one input, in input order; `end` closes the stream.
    const slots = yield* Queue.bounded<Effect.Effect<Exit.Exit<B | End, E | E2>, never, never>>(
      Math.max(64, concurrency * 8)
    )
    const startOne = (a: A): Effect.Effect<void, Halt, R2> =>
      Effect.zipRight(
        permits.take(1),
        Effect.flatMap(stopped, (stop) =>
          stop
            ? Effect.zipRight(permits.release(1), Effect.fail(halt))
            : Effect.flatMap(
              Effect.forkIn(Effect.ensuring(f(a), permits.release(1)), scope),
              (fiber) => Queue.offer(slots, Fiber.await(fiber))
            ))
      )
    const produce = inputs.pipe(
      Stream.runForEachChunk((chunk) => Effect.forEach(chunk, startOne, { discard: true })),
      Effect.catchAll((error) => error === halt ? Effect.void : Queue.offer(slots, Effect.succeed(Exit.fail(error)))),
      Effect.zipRight(Queue.offer(slots, Effect.succeed(Exit.succeed(end))))
    )
    yield* Effect.forkIn(produce, scope)

    // The outcomes of a taken run of slots, emitted up to the end or the first failure, which
    // is raised at the next pull (so the records before it are not lost).
    let ended: Cause.Cause<E | E2> | "end" | undefined
    const finish = (): Effect.Effect<never, Option.Option<E | E2>> =>
      ended === "end" || ended === undefined
        ? Effect.fail(Option.none())
        : Effect.failCause(Cause.map(ended, Option.some))
    const pull: Effect.Effect<Chunk.Chunk<B>, Option.Option<E | E2>> = Effect.suspend(() =>
      ended !== undefined ? finish() : Effect.flatMap(
        Queue.takeBetween(slots, 1, Math.max(64, concurrency * 8)),
        (taken) =>
          Effect.flatMap(Effect.forEach(taken, (slot) => slot), (exits) => {
            const out: Array<B> = []
            for (const exit of exits) {
              if (Exit.isFailure(exit)) {
                ended = exit.cause
                break
              }
              if (exit.value === end) {
                ended = "end"
                break
              }
              out.push(exit.value as B)
            }
            return out.length === 0 && ended !== undefined ? finish() : Effect.succeed(Chunk.unsafeFromArray(out))
          })
      )
    )
    return Stream.repeatEffectChunkOption(pull)
  }))

/** Marks the end of a pool's output. */
const end: unique symbol = Symbol.for("volley/end") as never
type End = typeof end
/** Ends a pool's input early (a stop was asked for). */
const halt: unique symbol = Symbol.for("volley/halt") as never
type Halt = typeof halt

/** Stands for an input skipped because the run was stopped. */
const notStarted: unique symbol = Symbol.for("volley/notStarted") as never
type NotStarted = typeof notStarted

/** Raised inside a fail-fast run to stop the other fibers; carries the record that failed. */
class FailFastStop extends Data.TaggedError("FailFastStop")<{ readonly record: FetchRecord }> {}

/**
 * Fetches every input of the stream and emits the records in input order, at most
 * `options.concurrency` requests in flight; a failure is a record, never the end of the stream
 * (unless `failFast`).
 */
export const runStream = <E, R>(
  inputs: Stream.Stream<IndexedRequest, E, R>,
  options: RunOptions,
  /** When this turns true no new request starts; those started finish and are emitted. */
  stopped: Effect.Effect<boolean> = Effect.succeed(false)
): Stream.Stream<FetchRecord, E, R | Fetcher> =>
  Stream.unwrap(Effect.map(Fetcher, (fetcher) => {
    const fetchOne = (input: IndexedRequest) => fetcher.fetchOne(input, options.fetch)
    const failFast = (record: FetchRecord): Effect.Effect<FetchRecord, FailFastStop> =>
      record.ok ? Effect.succeed(record) : Effect.fail(new FailFastStop({ record }))
    const concurrency = Math.max(1, options.concurrency)
    const records: Stream.Stream<FetchRecord, E | FailFastStop, R> = options.batchSize === undefined
      ? orderedPool(
        inputs,
        options.failFast ? (input: IndexedRequest) => Effect.flatMap(fetchOne(input), failFast) : fetchOne,
        concurrency,
        stopped
      )
      : batches(inputs, options.batchSize, concurrency, stopped, fetchOne, options.failFast ? failFast : undefined)
    return Stream.catchAll(records, (error): Stream.Stream<FetchRecord, E> =>
      error instanceof FailFastStop
        ? Stream.make(error.record)
        : Stream.fail(error))
  }))

/**
 * Batch mode: a batch starts only when the whole previous one is done. The stop is checked per
 * input as it is about to start: the first input not started marks the end, and everything
 * before it has started (inputs start in order within a batch).
 */
const batches = <E, R>(
  inputs: Stream.Stream<IndexedRequest, E, R>,
  batchSize: number,
  concurrency: number,
  stopped: Effect.Effect<boolean>,
  fetchOne: (input: IndexedRequest) => Effect.Effect<FetchRecord>,
  failFast: ((record: FetchRecord) => Effect.Effect<FetchRecord, FailFastStop>) | undefined
): Stream.Stream<FetchRecord, E | FailFastStop, R> => {
  const one = (input: IndexedRequest): Effect.Effect<FetchRecord | NotStarted, FailFastStop> =>
    Effect.flatMap(
      stopped,
      (stop): Effect.Effect<FetchRecord | NotStarted, FailFastStop> =>
        stop
          ? Effect.succeed(notStarted)
          : failFast === undefined
          ? fetchOne(input)
          : Effect.flatMap(fetchOne(input), failFast)
    )
  return inputs.pipe(
    Stream.grouped(Math.max(1, batchSize)),
    Stream.mapEffect((batch) => Effect.forEach(batch, one, { concurrency }).pipe(Effect.map(Chunk.unsafeFromArray))),
    Stream.flattenChunks,
    Stream.takeWhile((record): record is FetchRecord => record !== notStarted)
  )
}

/** Fetches a list of URLs or requests and returns every record, in input order. */
export const fetchAll = (
  requests: Iterable<string | RequestSpec>,
  options: Partial<Omit<RunOptions, "fetch">> & { readonly fetch?: Partial<FetchOptions> } = {}
): Effect.Effect<Array<FetchRecord>, never, Fetcher> =>
  Stream.runCollect(
    runStream(
      Stream.fromIterable(requests).pipe(
        Stream.zipWithIndex,
        Stream.map(([request, index]): IndexedRequest => ({
          index,
          request: typeof request === "string" ? { url: request } : request
        }))
      ),
      { ...defaultRunOptions, ...options, fetch: makeFetchOptions(options.fetch) }
    )
  ).pipe(Effect.map(Chunk.toArray))
