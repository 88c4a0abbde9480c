/**
 * A transport sends one attempt — the request, its redirects and its body, within the time-out —
 * and answers with the status, headers and text, or a typed failure.
 *
 * The Fetcher always goes through the `HttpClient` service, so any client layer (a test one, one
 * with extra middleware) works. When the service is volley's own undici client, it carries a
 * faster transport that drives undici directly — one callback chain and one deadline per
 * attempt, started by a plain callback (`start`) so a pool worker can go from one request to the
 * next without a fiber step — and the Fetcher uses that instead; any other client is driven
 * through its `execute`.
 *
 * @module
 */
import * as Cookies from "@effect/platform/Cookies"
import * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Client from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { BodyTooLarge, DecodeError, StatusError } from "../domain/FetchError.js"
import { connectionLost, TimeoutError, TransportError } from "../domain/FetchError.js"
import { bodyTooLarge, readBody } from "./BodyReader.js"
import { bodyText } from "./Charset.js"
import { type SessionCookies, withCookies } from "./CookieJar.js"
import type { InFlight } from "./InFlight.js"
import { type Hop, isRedirect, nextHop } from "./Redirect.js"
import type { Answer, HttpVersion } from "./RequestGate.js"
import { type BodySink, mayPause, type SavedFile } from "./SaveBody.js"
import { certificateProblem } from "./TlsOptions.js"

/** The limits of one attempt. */
export interface SendLimits {
  /** For the whole attempt: every hop, headers and bodies. */
  readonly timeout: Duration.Duration
  readonly maxBodyBytes: number
  readonly maxRedirects: number
  /** Headers dropped on a redirect to another origin (lower case); volley's list when absent. */
  readonly secretHeaders?: ReadonlySet<string>
  /** Keep the final answer's headers as received (`Answer.rawHeaders`), repeated ones as lists. */
  readonly keepHeaders?: boolean
  /** Time the attempt's phases (`Answer.timings`), where the transport can. */
  readonly timings?: boolean
  /** The session's cookies: sent on every hop they match, and every hop's `Set-Cookie` kept. */
  readonly cookies?: SessionCookies
}

/** What can go wrong in one attempt before the status is judged. */
export type SendError = TransportError | TimeoutError | StatusError | BodyTooLarge | DecodeError

/** How one attempt ended. */
export type SendOutcome = Either.Either<Answer, SendError>

/**
 * Starts one attempt outside any fiber and calls `done` once with its outcome (perhaps before
 * returning). Returns the cancel action, which does nothing once the attempt has ended.
 */
export type StartAttempt = (hop: Hop, limits: SendLimits, done: (outcome: SendOutcome) => void) => () => void

export interface Transport {
  /**
   * Sends `hop`, follows its redirects and reads the final body, within `limits`. Interrupting
   * the effect cancels the request; when the caller runs inside `withInFlight`, it passes that
   * registry and the cancel action goes there instead of into a hook of its own.
   */
  readonly send: (hop: Hop, limits: SendLimits, inFlight?: InFlight) => Effect.Effect<Answer, SendError>
  /**
   * The same attempt driven by a callback, when the transport has one: the caller can then
   * judge the answer in the callback and resume its fiber once per request (see `attemptWith`).
   */
  readonly start?: StartAttempt
}

/**
 * One attempt as an effect that continues with `then(outcome)`. The attempt is cancelled if the
 * fiber is interrupted: through `inFlight` when the caller has that registry, else a hook of its own.
 */
export const attemptWith = <A, E, R>(
  start: StartAttempt,
  hop: Hop,
  limits: SendLimits,
  inFlight: InFlight | undefined,
  then: (outcome: SendOutcome) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.async<A, E, R>((resume) => {
    let ended = false
    let registered = false
    const cancel = start(hop, limits, (outcome) => {
      ended = true
      if (registered) inFlight!.remove(cancel)
      resume(then(outcome))
    })
    if (ended) return
    if (inFlight === undefined) return Effect.sync(cancel)
    registered = true
    inFlight.add(cancel)
  })

/** A transport whose attempts are started by `start`. */
export const callbackTransport = (start: StartAttempt): Transport => ({
  // An outcome (an `Either`) is itself the effect that succeeds or fails with it.
  send: (hop, limits, inFlight) => attemptWith(start, hop, limits, inFlight, (outcome) => outcome),
  start
})

/** Where a client keeps its own transport, when it has one. */
export const TransportTypeId: unique symbol = Symbol.for("volley/Transport") as never

/** `client`, carrying `transport` as its fast path. */
export const withTransport = (client: HttpClient.HttpClient, transport: Transport): HttpClient.HttpClient =>
  Object.assign(client, { [TransportTypeId]: transport })

/** The transport for a client: its own fast one when it has one, else one over `execute`. */
export const transportFor = (client: HttpClient.HttpClient): Transport => {
  const own = (client as { readonly [TransportTypeId]?: Transport })[TransportTypeId]
  return own ?? httpClientTransport(client)
}

/** The failure of an attempt that did not end within `timeout`. */
export const timeoutError = (url: string, timeout: Duration.Duration): TimeoutError =>
  new TimeoutError({
    url,
    timeoutMs: Duration.toMillis(timeout),
    message: `no complete answer within ${Duration.format(timeout)}`
  })

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

/** The answer for a body's bytes: its text by its charset, or base64 when it is not text. */
export const makeAnswer = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  bytes: Buffer,
  url: string,
  rawHeaders?: Answer["rawHeaders"]
): Answer => {
  const body = bodyText(bytes, headers["content-type"])
  const answer: Answer = body.base64
    ? { status, headers, text: body.text, bodyEncoding: "base64", url }
    : { status, headers, text: body.text, url }
  return rawHeaders === undefined ? answer : { ...answer, rawHeaders }
}

/** The outcome with the HTTP version its answer came in (kept only with `--include-headers`). */
export const withHttpVersion = (outcome: SendOutcome, httpVersion: HttpVersion): SendOutcome =>
  outcome._tag === "Right" ? Either.right({ ...outcome.right, httpVersion }) : outcome

/** Where volley's own undici client keeps a response's headers as received. */
export const RawHeadersTypeId: unique symbol = Symbol.for("volley/RawHeaders") as never

/**
 * A response's headers as received: volley's client keeps them; from any other client, its
 * (joined) headers, with `Set-Cookie` as a list from its cookies.
 */
const rawHeadersOf = (response: HttpClientResponse.HttpClientResponse): NonNullable<Answer["rawHeaders"]> => {
  const own = (response as { readonly [RawHeadersTypeId]?: Answer["rawHeaders"] })[RawHeadersTypeId]
  if (own !== undefined) return own
  const out: Record<string, string | ReadonlyArray<string>> = { ...response.headers }
  if (out["set-cookie"] !== undefined) {
    const cookies = Cookies.toSetCookieHeaders(response.cookies)
    out["set-cookie"] = cookies.length === 1 ? cookies[0]! : cookies
  }
  return out
}

/**
 * undici's error for a body shorter than its Content-Length — which a 304 always is when it
 * repeats the representation's length, as RFC 9110 §8.6 allows.
 */
export const isLengthMismatch = (error: unknown): boolean =>
  typeof error === "object" && error !== null &&
  (error as { code?: unknown }).code === "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"

/** A header's value whatever the case of its name (`name` in lower case). */
export const headerValue = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  for (const key in headers) if (key.toLowerCase() === name) return headers[key]
  return undefined
}

/**
 * The body's content type: the one the caller set, else JSON when the body parses as JSON (bytes:
 * `application/octet-stream`).
 */
export const bodyContentType = (headers: Readonly<Record<string, string>>, body: string | Uint8Array): string => {
  const given = headerValue(headers, "content-type")
  if (given !== undefined) return given
  if (typeof body !== "string") return "application/octet-stream"
  try {
    JSON.parse(body)
    return "application/json"
  } catch {
    return "text/plain; charset=utf-8"
  }
}

/**
 * Streams `response`'s body into `sink`, waiting when the file is slower than the network, and
 * renames it into place when whole; the temporary file is removed on any failure or interruption.
 */
const saveBody = (
  response: HttpClientResponse.HttpClientResponse,
  sink: BodySink,
  url: string,
  maxBytes: number
): Effect.Effect<SavedFile, TransportError | BodyTooLarge> => {
  const declared = response.headers["content-length"]
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Effect.fail(bodyTooLarge(url, maxBytes, `content-length ${declared}`))
  }
  let length = 0
  const pausable = mayPause(response.headers["connection"])
  const write = (chunk: Uint8Array) =>
    Effect.async<void, BodyTooLarge>((resume) => {
      length += chunk.length
      if (length > maxBytes) return resume(Effect.fail(bodyTooLarge(url, maxBytes, "streamed")))
      if (sink.write(chunk) || !pausable) return resume(Effect.void)
      sink.onDrain(() => resume(Effect.void))
    })
  const stream = response.stream.pipe(
    Stream.catchTag("ResponseError", (error) => error.reason === "EmptyBody" ? Stream.empty : Stream.fail(error)),
    Stream.mapError((cause) => connectionLost(url, cause.message))
  )
  const finish = Effect.async<SavedFile, TransportError>((resume) =>
    sink.finish((result) =>
      resume(
        "error" in result
          ? Effect.fail(new TransportError({ url, message: result.error }))
          : Effect.succeed(result.saved)
      )
    )
  )
  return Effect.suspend(() => {
    const problem = sink.begin()
    return problem === undefined
      ? Effect.void
      : Effect.fail(new TransportError({ url, message: problem, permanent: true }))
  }).pipe(
    Effect.zipRight(Stream.runForEach(stream, write)),
    Effect.zipRight(finish),
    Effect.onExit((exit) => exit._tag === "Success" ? Effect.void : Effect.sync(() => sink.discard()))
  )
}

/** A transport over any `HttpClient`: its `execute`, redirects by volley, `Effect.timeout`. */
export const httpClientTransport = (service: HttpClient.HttpClient): Transport => {
  // Third-party URLs must not receive our trace headers; timeouts and retries are ours. The
  // client's own span per request is skipped: it costs more than the request on loopback.
  const client = service.pipe(Client.withTracerPropagation(false), Client.withTracerDisabledWhen(() => true))
  const hopOnce = (hop: Hop, limits: SendLimits): Effect.Effect<Answer, SendError> => {
    const href = hop.url.href
    const jar = limits.cookies
    const request = HttpClientRequest.make(hop.method as HttpMethod)(hop.url, {
      headers: jar === undefined ? hop.headers : withCookies(hop.headers, jar, hop.url),
      ...(hop.body === undefined
        ? {}
        : {
          body: typeof hop.body === "string"
            ? HttpBody.text(hop.body, bodyContentType(hop.headers, hop.body))
            : HttpBody.uint8Array(hop.body, bodyContentType(hop.headers, hop.body))
        })
    })
    return client.execute(request).pipe(
      Effect.mapError((error) => transportFailure(hop.url, error.cause ?? error)),
      Effect.flatMap((response): Effect.Effect<Answer, SendError> => {
        if (jar !== undefined) jar.store(hop.url, rawHeadersOf(response)["set-cookie"])
        const location = response.headers["location"]
        if (isRedirect(response.status, location)) {
          const next = nextHop(hop, response.status, location, limits.maxRedirects, limits.secretHeaders)
          if (next._tag === "Left") return Effect.fail(next.left)
          // Read the (small) redirect body so its connection goes back to the pool.
          return Effect.zipRight(
            Effect.ignore(readBody(response, href, 64 * 1024, false)),
            hopOnce(next.right, limits)
          )
        }
        if (hop.save !== undefined && response.status >= 200 && response.status < 300) {
          return Effect.map(
            saveBody(response, hop.save, href, limits.maxBodyBytes),
            (saved): Answer => ({
              ...makeAnswer(
                response.status,
                response.headers,
                Buffer.alloc(0),
                href,
                limits.keepHeaders === true ? rawHeadersOf(response) : undefined
              ),
              saved
            })
          )
        }
        // A 304 has no content whatever its Content-Length says (see `isLengthMismatch`).
        const body = response.status === 304
          ? Effect.as(Effect.ignore(readBody(response, href, 0, false)), Buffer.alloc(0))
          : readBody(response, href, limits.maxBodyBytes, hop.decode === true)
        return Effect.map(
          body,
          (bytes): Answer =>
            makeAnswer(
              response.status,
              response.headers,
              bytes,
              href,
              limits.keepHeaders === true ? rawHeadersOf(response) : undefined
            )
        )
      })
    )
  }
  return {
    send: (hop, limits) =>
      hopOnce(hop, limits).pipe(
        Effect.timeoutFail({ duration: limits.timeout, onTimeout: () => timeoutError(hop.url.href, limits.timeout) })
      )
  }
}
