/**
 * Where a redirect leads: the one rule both transports follow, so the fast undici path and the
 * generic `HttpClient` path cannot disagree.
 *
 * @module
 */
import * as Either from "effect/Either"
import { StatusError } from "../domain/FetchError.js"
import { sensitiveHeaders } from "./FetchOptions.js"
import type { BodySink } from "./SaveBody.js"

/** One request of an attempt: the first, or one a redirect led to. */
export interface Hop {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** Text, or bytes (a multipart form from `-F`). */
  readonly body: string | Uint8Array | undefined
  /** Redirects followed before this hop. */
  readonly redirects: number
  /**
   * Undo the answer's `Content-Encoding`: set when volley offered its own `Accept-Encoding`
   * (a request that sets its own gets the body as sent).
   */
  readonly decode?: boolean
  /** Where a successful final body goes instead of memory (`--save-dir`). */
  readonly save?: BodySink | undefined
}

/** The headers that may follow a redirect to another origin: every one not in `secret`. */
const withoutSecrets = (
  headers: Readonly<Record<string, string>>,
  secret: ReadonlySet<string>
): Record<string, string> => {
  const kept: Record<string, string> = {}
  for (const name in headers) {
    if (!secret.has(name.toLowerCase())) kept[name] = headers[name]!
  }
  return kept
}

/** Whether an answer is a redirect volley follows (it has a `Location`; 304 is not one). */
export const isRedirect = (status: number, location: string | undefined): location is string =>
  status >= 300 && status < 400 && status !== 304 && location !== undefined && location !== ""

/**
 * The hop a redirect answer leads to, or why it is not followed. 303 (and 301/302 after a POST)
 * become a GET without a body, as browsers do; the secret headers (`secret`, lower case: the
 * same list that is redacted in output) are dropped when the origin changes.
 */
export const nextHop = (
  hop: Hop,
  status: number,
  location: string,
  maxRedirects: number,
  secret: ReadonlySet<string> = sensitiveHeaders
): Either.Either<Hop, StatusError> => {
  const url = hop.url.href
  let next: URL
  try {
    next = new URL(location, hop.url)
  } catch {
    return Either.left(new StatusError({ url, status, message: `redirect to an invalid URL '${location}'` }))
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    return Either.left(new StatusError({ url, status, message: `refused redirect to non-http(s) URL '${next.href}'` }))
  }
  // Credentials in a `Location` are neither sent nor shown.
  if (next.username !== "" || next.password !== "") {
    next.username = ""
    next.password = ""
  }
  if (hop.redirects >= maxRedirects) {
    return Either.left(
      new StatusError({ url, status, message: `too many redirects (more than ${maxRedirects})` })
    )
  }
  const toGet = status === 303 || ((status === 301 || status === 302) && hop.method === "POST")
  return Either.right({
    method: toGet ? "GET" : hop.method,
    url: next,
    headers: next.origin === hop.url.origin ? hop.headers : withoutSecrets(hop.headers, secret),
    body: toGet ? undefined : hop.body,
    redirects: hop.redirects + 1,
    ...(hop.decode === undefined ? {} : { decode: hop.decode }),
    ...(hop.save === undefined ? {} : { save: hop.save })
  })
}
