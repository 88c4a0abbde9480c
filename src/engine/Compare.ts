/**
 * The tutorials' demonstration: the same list fetched sequentially, concurrently and in batches,
 * one mode after the other, each on a fresh connection pool so none profits from another's warm
 * connections.
 *
 * @module
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { Fetcher } from "../http/Fetcher.js"
import type { FetchOptions } from "../http/FetchOptions.js"
import type { Transport } from "../http/Transport.js"
import { fetchAll } from "./Runner.js"

/** Builds a new transport (a new pool) each time it is provided. */
export class TransportFactory extends Context.Tag("volley/TransportFactory")<
  TransportFactory,
  Layer.Layer<Transport>
>() {}

export type CompareMode = "sequential" | "concurrent" | "batched"

/** How one mode did. */
export interface ModeResult {
  readonly mode: CompareMode
  readonly concurrency: number
  readonly batchSize: number | undefined
  readonly ms: number
  readonly ok: number
  readonly failed: number
  readonly records: ReadonlyArray<FetchRecord>
}

export interface CompareResult {
  readonly urls: ReadonlyArray<string>
  readonly modes: ReadonlyArray<ModeResult>
  /** Sequential time over concurrent time. */
  readonly speedup: number
}

export interface CompareOptions {
  readonly concurrency: number
  /** When set, a third run in batches of this size. */
  readonly batchSize: number | undefined
  readonly fetch: Partial<FetchOptions>
}

const runMode = (
  urls: ReadonlyArray<string>,
  mode: CompareMode,
  concurrency: number,
  batchSize: number | undefined,
  fetch: Partial<FetchOptions>
) =>
  Effect.gen(function*() {
    const transportLayer = yield* TransportFactory
    const start = yield* Clock.currentTimeNanos
    const records = yield* fetchAll(urls, { concurrency, batchSize, fetch }).pipe(
      Effect.provide(Fetcher.Default.pipe(Layer.provide(Layer.fresh(transportLayer))))
    )
    const ms = Number((yield* Clock.currentTimeNanos) - start) / 1e6
    const ok = records.filter((r) => r.ok).length
    return { mode, concurrency, batchSize, ms, ok, failed: records.length - ok, records } satisfies ModeResult
  })

/** Runs the modes one after the other and measures each. */
export const compareModes = Effect.fn("volley.compare")(function*(
  urls: ReadonlyArray<string>,
  options: CompareOptions
) {
  const sequential = yield* runMode(urls, "sequential", 1, undefined, options.fetch)
  const concurrent = yield* runMode(urls, "concurrent", options.concurrency, undefined, options.fetch)
  const batched = options.batchSize === undefined
    ? []
    : [yield* runMode(urls, "batched", options.concurrency, options.batchSize, options.fetch)]
  return {
    urls,
    modes: [sequential, concurrent, ...batched],
    speedup: concurrent.ms > 0 ? sequential.ms / concurrent.ms : 0
  } satisfies CompareResult
})
