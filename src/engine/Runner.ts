/**
 * Runs many requests: bounded concurrency, results in input order, one failure never stopping
 * the others (unless fail-fast), and the input consumed as a stream so memory depends on the
 * concurrency, not on the number of URLs.
 *
 * @module
 */
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Defaults } from "../domain/Defaults.js"
import type { FetchRecord } from "../domain/FetchRecord.js"
import type { IndexedRequest, RequestSpec } from "../domain/RequestSpec.js"
import { Fetcher } from "../http/Fetcher.js"
import type { FetchOptions } from "../http/FetchOptions.js"
import { makeFetchOptions } from "../http/FetchOptions.js"
import type { Starter } from "../http/Starter.js"
import { orderedPool } from "./OrderedPool.js"

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
  concurrency: Defaults.concurrency,
  failFast: false,
  batchSize: undefined,
  fetch: makeFetchOptions()
}

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
  stopped: () => boolean = () => false
): Stream.Stream<FetchRecord, E, R | Fetcher> =>
  Stream.unwrap(Effect.gen(function*() {
    const fetcher = yield* Fetcher
    const fetchOne = (input: IndexedRequest) => fetcher.fetchOne(input, options.fetch)
    const concurrency = Math.max(1, options.concurrency)
    const records: Stream.Stream<FetchRecord, E | FailFastStop, R> = options.batchSize === undefined
      ? orderedPool(
        inputs,
        options.failFast ? (input: IndexedRequest) => Effect.flatMap(fetchOne(input), failFast) : fetchOne,
        { concurrency, stopped, start: withFailFast(yield* fetcher.starter(options.fetch), options.failFast) }
      )
      : batches(inputs, options.batchSize, concurrency, stopped, fetchOne, options.failFast ? failFast : undefined)
    return Stream.catchAll(records, (error): Stream.Stream<FetchRecord, E> =>
      error instanceof FailFastStop
        ? Stream.make(error.record)
        : Stream.fail(error))
  }))

/** A failed record as the failure that stops a fail-fast run. */
const failFast = (record: FetchRecord): Effect.Effect<FetchRecord, FailFastStop> =>
  record.ok ? Effect.succeed(record) : Effect.fail(new FailFastStop({ record }))

/** The starter, stopping at the first failed record when `failFast`. */
const withFailFast = (
  start: Starter<IndexedRequest, FetchRecord> | undefined,
  stopAtFailure: boolean
): Starter<IndexedRequest, FetchRecord, FailFastStop> | undefined =>
  start === undefined || !stopAtFailure ? start : (input, succeed, continueWith) =>
    start(
      input,
      (record) => record.ok ? succeed(record) : continueWith(failFast(record)),
      (effect) => continueWith(Effect.flatMap(effect, failFast))
    )

/**
 * Batch mode: a batch starts only when the whole previous one is done. The stop is checked per
 * input as it is about to start: the first input not started marks the end, and everything
 * before it has started (inputs start in order within a batch).
 */
const batches = <E, R>(
  inputs: Stream.Stream<IndexedRequest, E, R>,
  batchSize: number,
  concurrency: number,
  stopped: () => boolean,
  fetchOne: (input: IndexedRequest) => Effect.Effect<FetchRecord>,
  failFast: ((record: FetchRecord) => Effect.Effect<FetchRecord, FailFastStop>) | undefined
): Stream.Stream<FetchRecord, E | FailFastStop, R> => {
  const one = (input: IndexedRequest): Effect.Effect<FetchRecord | NotStarted, FailFastStop> =>
    Effect.suspend((): Effect.Effect<FetchRecord | NotStarted, FailFastStop> =>
      stopped()
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

/** URLs or requests as the engine's inputs: each with its index in the stream. */
export const indexedRequests = <E, R>(
  requests: Stream.Stream<string | RequestSpec, E, R>
): Stream.Stream<IndexedRequest, E, R> =>
  requests.pipe(
    Stream.zipWithIndex,
    Stream.map(([request, index]): IndexedRequest => ({
      index,
      request: typeof request === "string" ? { url: request } : request
    }))
  )

/** Fetches a list of URLs or requests and returns every record, in input order. */
export const fetchAll = (
  requests: Iterable<string | RequestSpec>,
  options: Partial<Omit<RunOptions, "fetch">> & { readonly fetch?: Partial<FetchOptions> } = {}
): Effect.Effect<Array<FetchRecord>, never, Fetcher> =>
  Stream.runCollect(
    runStream(indexedRequests(Stream.fromIterable(requests)), {
      ...defaultRunOptions,
      ...options,
      fetch: makeFetchOptions(options.fetch)
    })
  ).pipe(Effect.map(Chunk.toArray))
