/**
 * A gate wraps every attempt of every request (retries included): it may delay the attempt
 * (rate limits, per-host limits, a host paused by `Retry-After`) and learn from its outcome.
 *
 * @module
 */
import type * as Effect from "effect/Effect"
import type { FetchError } from "../domain/FetchError.js"
import type { Timings } from "./ConnectTimings.js"
import type { SavedFile } from "./SaveBody.js"

/** An HTTP version as records (and HAR, with its `HTTP/` prefix) name it. */
export type HttpVersion = "1.1" | "2"

/** What came back from one attempt, before the status is judged. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The body as text, or its base64 when `bodyEncoding` says so (a body that is not text). */
  readonly text: string
  readonly bodyEncoding?: "base64"
  /** The final URL, after redirects. */
  readonly url: string
  /** The headers as received, a repeated one as a list: only when the limits ask (`keepHeaders`). */
  readonly rawHeaders?: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** The HTTP version the answer came in, when known: only when the limits keep headers. */
  readonly httpVersion?: HttpVersion
  /** Where the body was saved (`--save-dir`); `text` is then empty. */
  readonly saved?: SavedFile
  /** Where the attempt's time went: only when the limits ask (`timings`) and the transport can tell. */
  readonly timings?: Timings
}

/** Wraps one attempt to `host`. */
export interface RequestGate {
  readonly around: <R>(
    host: string,
    attempt: Effect.Effect<Answer, FetchError, R>
  ) => Effect.Effect<Answer, FetchError, R>
  /**
   * The same gate without effects, for the common case: when an attempt to `host` may leave now
   * (`nowMs`) and holds nothing while in flight, returns what to learn from its answer; else
   * `undefined` (or no `immediate` at all) and the attempt goes through `around`.
   */
  readonly immediate?: (host: string, nowMs: number) => Learn | undefined
}

/** Learns from an answer to an attempt let through at once (`nowMs`: when it came). */
export type Learn = (answer: Answer, nowMs: number) => void

const learnNothing: Learn = () => {}

/** The gate that lets everything through at once. */
export const openGate: RequestGate = { around: (_host, attempt) => attempt, immediate: () => learnNothing }
