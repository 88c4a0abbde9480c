/**
 * How each request of a run is sent and judged. Commands build one from flags and `Config`;
 * library users build one with `makeFetchOptions`.
 *
 * @module
 */
import { Duration } from "effect"
import type { Extractor } from "../extract/Extractor.js"
import type { RequestGate } from "../http/RequestGate.js"
import { openGate } from "../http/RequestGate.js"
import { defaultRetryOptions, type RetryOptions } from "../http/RetryPolicy.js"
import type { Method } from "./RequestSpec.js"

export interface FetchOptions {
  /** Deadline of one attempt: headers and the whole body. */
  readonly timeout: Duration.Duration
  readonly retry: RetryOptions
  /** Defaults for requests that do not set their own. */
  readonly method: Method
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  /** Applied to each successful answer; its result is the record's `value`. */
  readonly extractor: Extractor | undefined
  /** Larger bodies fail with `BodyTooLarge`, unread. */
  readonly maxBodyBytes: number
  readonly maxRedirects: number
  /** Wraps every attempt: rate limits, per-host limits, pauses. */
  readonly gate: RequestGate
  /** Keep the body in the record (off keeps only `value`). */
  readonly keepBody: boolean
}

export const defaultFetchOptions: FetchOptions = {
  timeout: Duration.seconds(30),
  retry: defaultRetryOptions,
  method: "GET",
  headers: {},
  body: undefined,
  extractor: undefined,
  maxBodyBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  gate: openGate,
  keepBody: true
}

/** Fetch options from a partial set; the rest take volley's defaults. */
export const makeFetchOptions = (options: Partial<FetchOptions> = {}): FetchOptions => ({
  ...defaultFetchOptions,
  ...options
})
