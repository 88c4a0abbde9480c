/**
 * The transport over any `HttpClient`: its `execute` for each hop, redirects followed by volley,
 * the body read within the limit (or saved), the whole attempt under `Effect.timeout`.
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
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { BodyTooLarge } from "../domain/FetchError.js"
import { connectionLost, TransportError } from "../domain/FetchError.js"
import { makeAnswer } from "./AnswerOf.js"
import { bodyTooLarge, readBody } from "./BodyReader.js"
import { withCookies } from "./CookieJar.js"
import { type Hop, isRedirect, nextHop } from "./Redirect.js"
import type { Answer } from "./RequestGate.js"
import { bodyContentType } from "./RequestHeaders.js"
import { type BodySink, mayPause, type SavedFile } from "./SaveBody.js"
import { type SendError, type SendLimits, timeoutError, type TransportService } from "./Transport.js"
import { transportFailure } from "./TransportFailure.js"

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
export const httpClientTransport = (service: HttpClient.HttpClient): TransportService => {
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
