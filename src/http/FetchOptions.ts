/**
 * How each request of a run is sent and judged. Commands build one from flags and `Config`;
 * library users build one with `makeFetchOptions`.
 *
 * @module
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import type { Expectation } from "../check/Check.js"
import { Defaults } from "../domain/Defaults.js"
import { defaultMaxJsonDepth } from "../domain/ExactJson.js"
import type { Method } from "../domain/RequestSpec.js"
import type { Extractor } from "../extract/Extractor.js"
import type { SessionCookies } from "./CookieJar.js"
import type { LoginSource } from "./Credentials.js"
import type { ExchangeLog } from "./ExchangeLog.js"
import type { RequestGate } from "./RequestGate.js"
import { openGate } from "./RequestGate.js"
import { defaultRetryOptions, type RetryOptions } from "./RetryPolicy.js"

export interface FetchOptions {
  /** Deadline of one attempt: headers and the whole body. */
  readonly timeout: Duration.Duration
  readonly retry: RetryOptions
  /** Defaults for requests that do not set their own. */
  readonly method: Method
  /** Secret values (authorization, cookies) are `Redacted`, so they never print. */
  readonly headers: Readonly<Record<string, string | Redacted.Redacted<string>>>
  /** Text, or bytes (a multipart form): sent as they are. */
  readonly body: string | Uint8Array | undefined
  /** Applied to each successful answer; its result is the record's `value`. */
  readonly extractor: Extractor | undefined
  /** Larger bodies fail with `BodyTooLarge`, unread. */
  readonly maxBodyBytes: number
  readonly maxRedirects: number
  /** Wraps every attempt: rate limits, per-host limits, pauses. */
  readonly gate: RequestGate
  /** Keep the body in the record (off keeps only `value`). */
  readonly keepBody: boolean
  /**
   * Offer `Accept-Encoding` (gzip, deflate, br) and undo the answer's `Content-Encoding`. A
   * request that sets its own `Accept-Encoding` gets the body as sent either way.
   */
  readonly decompress: boolean
  /**
   * Lower-case names of the headers that are secrets: their values are redacted wherever they
   * would print, and they are dropped when a redirect leads to another origin.
   */
  readonly secretHeaders: ReadonlySet<string>
  /** JSON bodies nested deeper than this fail their record with `DecodeError`, unparsed. */
  readonly maxJsonDepth: number
  /** Accepted statuses (instead of 2xx) and assertions each answer must pass; none when undefined. */
  readonly expect?: Expectation | undefined
  /** Where each input's exchange (headers, body text, start time) goes, for reports such as HAR. */
  readonly exchanges?: ExchangeLog | undefined
  /**
   * Logins by host (`--netrc`): used for a request without an `Authorization` header of its own,
   * whose URL gives no password (a URL's `user:password@` is always sent, as Basic auth).
   */
  readonly logins?: LoginSource | undefined
  /** Put the last answer's headers in each record (`headers`: lower-case names, repeats as lists). */
  readonly includeHeaders?: boolean | undefined
  /**
   * Put where the last attempt's time went in each record (`timings`: dns, connect, tls, ttfb,
   * total in ms): on volley's own undici transport; a client of your own gives none.
   */
  readonly timings?: boolean | undefined
  /**
   * Save each successful body to a file instead of the record (`--save-dir`): `nameFor` gives
   * the path of input `index` (never one path for two inputs).
   */
  readonly save?: { readonly nameFor: (index: number, url: URL) => string } | undefined
  /** A session's cookie jar (a workflow run's): none when undefined, as for `volley fetch`. */
  readonly cookies?: SessionCookies | undefined
}

/**
 * Header names whose values are secrets, in lower case: the one list used to redact them and to
 * drop them on a redirect to another origin (add more with `withSecretHeaders`).
 */
export const sensitiveHeaders: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-access-token",
  "x-csrf-token",
  "x-xsrf-token",
  "x-amz-security-token",
  "private-token"
])

/** The secret-header list plus `names` (any case). */
export const withSecretHeaders = (names: Iterable<string>): ReadonlySet<string> => {
  const all = new Set(sensitiveHeaders)
  for (const name of names) all.add(name.toLowerCase())
  return all
}

export const defaultFetchOptions: FetchOptions = {
  timeout: Duration.millis(Defaults.timeoutMs),
  retry: defaultRetryOptions,
  method: "GET",
  headers: {},
  body: undefined,
  extractor: undefined,
  maxBodyBytes: Defaults.maxBodyBytes,
  maxRedirects: Defaults.maxRedirects,
  gate: openGate,
  keepBody: true,
  decompress: true,
  secretHeaders: sensitiveHeaders,
  maxJsonDepth: defaultMaxJsonDepth
}

/** Fetch options from a partial set; the rest take volley's defaults. */
export const makeFetchOptions = (options: Partial<FetchOptions> = {}): FetchOptions => ({
  ...defaultFetchOptions,
  ...options
})

/** A layer's settings for every request (durations as `"10 seconds"` or a `Duration`); unset ones are volley's. */
export interface RequestSettings {
  readonly timeout?: Duration.DurationInput | undefined
  readonly retries?: number | undefined
  readonly backoff?: Duration.DurationInput | undefined
  readonly maxBackoff?: Duration.DurationInput | undefined
  readonly maxBodyBytes?: number | undefined
  readonly maxRedirects?: number | undefined
  /** Offer Accept-Encoding and undo Content-Encoding (default true). */
  readonly decompress?: boolean | undefined
}

/** The fetch options a layer's settings describe: `Volley.layer`'s and `Volley.layerCluster`'s alike. */
export const fetchOptionsFromSettings = (settings: RequestSettings): FetchOptions =>
  makeFetchOptions({
    ...(settings.timeout === undefined ? {} : { timeout: Duration.decode(settings.timeout) }),
    ...(settings.maxBodyBytes === undefined ? {} : { maxBodyBytes: settings.maxBodyBytes }),
    ...(settings.maxRedirects === undefined ? {} : { maxRedirects: settings.maxRedirects }),
    ...(settings.decompress === undefined ? {} : { decompress: settings.decompress }),
    retry: {
      retries: settings.retries ?? defaultRetryOptions.retries,
      backoff: settings.backoff ?? defaultRetryOptions.backoff,
      maxBackoff: settings.maxBackoff ?? defaultRetryOptions.maxBackoff
    }
  })

/** Wraps the values of secret headers in `Redacted`. */
export const redactHeaders = (
  headers: Readonly<Record<string, string>>,
  secret: ReadonlySet<string> = sensitiveHeaders
): Record<string, string | Redacted.Redacted<string>> => {
  const out: Record<string, string | Redacted.Redacted<string>> = {}
  for (const [name, value] of Object.entries(headers)) {
    out[name] = secret.has(name.toLowerCase()) ? Redacted.make(value) : value
  }
  return out
}

/** Header values in the clear, for the one place that sends them. */
export const revealHeaders = (
  headers: Readonly<Record<string, string | Redacted.Redacted<string>>>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Redacted.isRedacted(value)
      ? Redacted.value(value)
      : value
  }
  return out
}
