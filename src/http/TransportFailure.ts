/**
 * A transport's failures in words a user knows: one line, certificate problems named, the
 * connection lost in a body told apart from one refused.
 *
 * @module
 */
import { connectionLost, TransportError } from "../domain/FetchError.js"
import { certificateProblem } from "./TlsOptions.js"

/** A transport failure in one line, without the request headers: `CODE: message`. */
export const describeTransportFailure = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code ?? (cause.cause as { code?: unknown } | undefined)?.code
    const inner = oneLine(cause.cause instanceof Error ? cause.cause.message : cause.message)
    return typeof code === "string" ? `${code}: ${inner}` : inner
  }
  return oneLine(String(cause))
}

/** OpenSSL's messages span lines and end with a newline: one line, trimmed. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()

/**
 * The `TransportError` for `cause`: a certificate or TLS handshake failure in plain words and
 * marked permanent (it is not retried), anything else as `describeTransportFailure` puts it.
 * `reading`: the answer had begun (the connection was lost in the body).
 */
export const transportFailure = (url: URL, cause: unknown, reading = false): TransportError => {
  const problem = certificateProblem(cause, url)
  if (problem !== undefined) return new TransportError({ url: url.href, message: problem, permanent: true })
  const message = describeTransportFailure(cause)
  return reading ? connectionLost(url.href, message) : new TransportError({ url: url.href, message })
}

/**
 * undici's error for a body shorter than its Content-Length — which a 304 always is when it
 * repeats the representation's length, as RFC 9110 §8.6 allows.
 */
export const isLengthMismatch = (error: unknown): boolean =>
  typeof error === "object" && error !== null &&
  (error as { code?: unknown }).code === "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
