/**
 * The typed, per-record failures of a fetch. Each one carries a human `message`; the record
 * written for a failed input is `{ _tag, message }` of one of these.
 *
 * @module
 */
import * as Schema from "effect/Schema"

/** The input line is not an absolute http(s) URL. */
export class InvalidUrl extends Schema.TaggedError<InvalidUrl>()("InvalidUrl", {
  input: Schema.String,
  message: Schema.String
}) {}

/** The connection failed: refused, reset, DNS, TLS, or a redirect that could not be followed. */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  url: Schema.String,
  message: Schema.String,
  /** The failure will not heal by trying again (a certificate that is not trusted): never retried. */
  permanent: Schema.optional(Schema.Boolean)
}) {}

/**
 * The `TransportError` of a connection lost after the answer had begun: in the body.
 * @internal
 */
export const connectionLost = (url: string, reason: string): TransportError =>
  new TransportError({ url, message: `connection lost while reading the body: ${reason}` })

/** No complete answer (headers and body) arrived within the per-request timeout. */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  url: Schema.String,
  timeoutMs: Schema.Number,
  message: Schema.String
}) {}

/** The server answered with a non-2xx status (after any retries). */
export class StatusError extends Schema.TaggedError<StatusError>()("StatusError", {
  url: Schema.String,
  status: Schema.Number,
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs: Schema.optional(Schema.Number),
  message: Schema.String
}) {}

/** JSON was needed but the body is not JSON. */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  url: Schema.String,
  message: Schema.String
}) {}

/** An extraction query, selector or pattern is invalid, or found nothing. */
export class ExtractError extends Schema.TaggedError<ExtractError>()("ExtractError", {
  url: Schema.String,
  message: Schema.String
}) {}

/** The body is larger than `--max-body`; the rest was not read. */
export class BodyTooLarge extends Schema.TaggedError<BodyTooLarge>()("BodyTooLarge", {
  url: Schema.String,
  limitBytes: Schema.Number,
  message: Schema.String
}) {}

/** A JSON body (or an extracted value) does not satisfy the schema it was checked against. */
export class SchemaError extends Schema.TaggedError<SchemaError>()("SchemaError", {
  url: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * The server asked for a pause longer than `--max-backoff` (`Retry-After`, or a rate-limit
 * budget spent until a far `RateLimit-Reset`): the request was not sent, and the message says
 * what was asked.
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  host: Schema.String,
  waitMs: Schema.Number,
  message: Schema.String
}) {}

/**
 * The request could not be built as given: a header value (from a template, say) holds a line
 * break or NUL, which would split the header. Nothing was sent, and it is never retried.
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  url: Schema.String,
  message: Schema.String
}) {}

/**
 * An answer that came but does not pass a check the run asked for: a `--assert` expression was
 * not truthy. `seen` is the value the expression looked at (its left side, for a comparison).
 */
export class AssertionError extends Schema.TaggedError<AssertionError>()("AssertionError", {
  url: Schema.String,
  expression: Schema.String,
  seen: Schema.Unknown,
  message: Schema.String
}) {}

/**
 * A line of `--input-format ndjson` input that is not a request: not JSON, or not the shape
 * `{"url", "method"?, "headers"?, "body"? | "json"?, "id"?}`. Nothing was sent.
 */
export class InvalidInputLine extends Schema.TaggedError<InvalidInputLine>()("InvalidInputLine", {
  line: Schema.Number,
  message: Schema.String
}) {}

/**
 * Cluster mode: a worker that stopped may have sent this request (a method that is not safe to
 * repeat) before its answer was stored, so it is not sent again.
 */
export class OutcomeUnknown extends Schema.TaggedError<OutcomeUnknown>()("OutcomeUnknown", {
  url: Schema.String,
  message: Schema.String
}) {}

/** Any failure a single fetch can end in. */
export type FetchError =
  | InvalidUrl
  | TransportError
  | TimeoutError
  | StatusError
  | DecodeError
  | ExtractError
  | BodyTooLarge
  | SchemaError
  | RateLimited
  | InvalidRequest
  | AssertionError
  | InvalidInputLine
  | OutcomeUnknown

/** Every failure tag, in the order summaries list them. */
export const fetchErrorTags = [
  "InvalidUrl",
  "TransportError",
  "TimeoutError",
  "StatusError",
  "DecodeError",
  "ExtractError",
  "BodyTooLarge",
  "SchemaError",
  "RateLimited",
  "InvalidRequest",
  "AssertionError",
  "InvalidInputLine",
  "OutcomeUnknown"
] as const

/** The tag of a fetch failure. */
export type FetchErrorTag = typeof fetchErrorTags[number]

/** Status codes that mean "try again later" rather than "you asked wrongly". */
const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/** Whether a status is worth retrying. */
export const isTransientStatus = (status: number): boolean => transientStatuses.has(status)

/** Whether a failure is transient: the same request may succeed if sent again. */
export const isTransient = (error: FetchError): boolean => {
  switch (error._tag) {
    case "TransportError":
      return error.permanent !== true
    case "TimeoutError":
      return true
    case "StatusError":
      return isTransientStatus(error.status)
    default:
      return false
  }
}
