/**
 * The fast transport: drives an undici dispatcher with a dispatch handler.
 *
 * One attempt is one callback chain: the handler collects the body chunks, follows redirects
 * itself, and one deadline covers the whole attempt. No response stream, no promise, no
 * `AbortController` per request — on loopback those cost more than the request (measured in
 * PERFORMANCE.md). Cancelling (interrupting the effect) aborts the request.
 *
 * @module
 */
import type * as Undici from "@effect/platform-node/Undici"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { DecodeError, TransportError } from "../domain/FetchError.js"
import { makeAnswer, withHttpVersion } from "./AnswerOf.js"
import { bodyTooLarge, effectiveBodyLimit } from "./BodyReader.js"
import { attemptTimings, claimPhases, type ConnectSpent, watchSockets } from "./ConnectTimings.js"
import { withCookies } from "./CookieJar.js"
import { makeDeadlines, maxTimerMs } from "./Deadlines.js"
import {
  type BodyDecoder,
  type Coding,
  decodeAll,
  makeBodyDecoder,
  parseContentEncoding,
  streamAbove
} from "./Decompression.js"
import { type Hop, isRedirect, nextHop } from "./Redirect.js"
import type { Answer, HttpVersion } from "./RequestGate.js"
import { bodyContentType, headerValue } from "./RequestHeaders.js"
import { type BodySink, mayPause } from "./SaveBody.js"
import {
  callbackTransport,
  type SendError,
  type SendLimits,
  type SendOutcome,
  timeoutError,
  type TransportService
} from "./Transport.js"
import { isLengthMismatch, transportFailure } from "./TransportFailure.js"

type Headers = Record<string, string | undefined>

/** undici's headers (a value may be a list) as one string per name. */
const flatHeaders = (raw: Record<string, string | ReadonlyArray<string> | undefined>): Headers => {
  for (const name in raw) {
    if (typeof raw[name] !== "string" && raw[name] !== undefined) {
      const flat: Headers = {}
      for (const key in raw) {
        const value = raw[key]
        flat[key] = typeof value === "string" || value === undefined ? value : value.join(", ")
      }
      return flat
    }
  }
  return raw as Headers
}

/** The answer with its attempt's timings. */
const withTimings = (answer: Answer, spent: ConnectSpent, startedAt: number, headAt: number): SendOutcome =>
  Either.right({ ...answer, timings: attemptTimings(spent, startedAt, headAt) })

/** The body chunks as one buffer. */
const joined = (chunks: Array<Buffer>, length: number): Buffer =>
  chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)

/**
 * A transport sending with `dispatcher` (an undici `Agent`, `Pool` or `Client`). `httpVersion`:
 * what its answers come in, when it is certain (an agent that never offers h2 speaks HTTP/1.1;
 * undici tells a handler nothing of the protocol it negotiated).
 */
export const makeUndiciTransport = (dispatcher: Undici.Dispatcher, httpVersion?: HttpVersion): TransportService => {
  const deadlines = makeDeadlines()
  // Limits are made once per set of options; their time-out is decoded once too.
  const timeouts = new WeakMap<SendLimits, number>()
  const timeoutMsOf = (limits: SendLimits) => {
    let ms = timeouts.get(limits)
    if (ms === undefined) {
      ms = Duration.toMillis(limits.timeout)
      timeouts.set(limits, ms)
    }
    return ms
  }
  return callbackTransport((first, limits, done) => {
    let finished = false
    let controller: Undici.Dispatcher.DispatchController | undefined
    /** Undoes the final answer's `Content-Encoding`, when it has one to undo. */
    let decoder: BodyDecoder | undefined
    /** The codings of a small declared body, undone in one call once it is all in. */
    let decodeAtEnd: ReadonlyArray<Coding> | undefined
    /** Ends the attempt once; false when it had already ended. */
    /** The file of the attempt's answer, removed unless the attempt ends with it whole. */
    let sink: BodySink | undefined = first.save
    const settle = (kept = false): boolean => {
      if (finished) return false
      finished = true
      if (!kept) sink?.discard()
      sink = undefined
      deadline?.clear()
      // The cancel action outlives the request for a while (the runtime holds it); through the
      // controller it would keep undici's whole request alive. Measured: 5x the promoted bytes.
      controller = undefined
      decoder?.destroy()
      decoder = undefined
      return true
    }
    // `--timings`: when the attempt began, its head came, and what its connections cost.
    const timed = limits.timings === true
    const startedAt = timed ? performance.now() : 0
    let headAt = 0
    // Made only when timed: nothing is paid per attempt for a feature that is off.
    const spent: ConnectSpent | undefined = timed ? {} : undefined
    if (timed) watchSockets()
    const finish = (outcome: SendOutcome) => {
      if (!settle(outcome._tag === "Right")) return
      const versioned = httpVersion !== undefined && limits.keepHeaders === true
        ? withHttpVersion(outcome, httpVersion)
        : outcome
      done(
        spent !== undefined && versioned._tag === "Right"
          ? withTimings(versioned.right, spent, startedAt, headAt)
          : versioned
      )
    }
    const fail = (error: SendError) => {
      const control = controller
      finish(Either.left(error))
      control?.abort(error)
    }
    const timeoutMs = timeoutMsOf(limits)
    // An infinite (or longer than a timer can hold) time-out means no deadline at all.
    const deadline = timeoutMs <= maxTimerMs
      ? deadlines.after(timeoutMs, () => fail(timeoutError(first.url.href, limits.timeout)))
      : undefined

    const dispatch = (hop: Hop) => {
      const href = hop.url.href
      let status = 0
      let headers: Headers = {}
      let raw: Record<string, string | ReadonlyArray<string> | undefined> | undefined
      let redirect: Hop | undefined
      let chunks: Array<Buffer> = []
      let length = 0
      let started = false
      /** The body goes to this file (a successful final answer with `--save-dir`). */
      let saving: BodySink | undefined
      let pausable = true
      const maxBytes = effectiveBodyLimit(limits.maxBodyBytes)
      const tooLarge = (seen: string) => fail(bodyTooLarge(href, limits.maxBodyBytes, seen))
      const startDecoding = (encoding: string) => {
        const codings = parseContentEncoding(encoding)
        if (codings._tag === "Left") {
          return fail(new DecodeError({ url: href, message: `unsupported content-encoding '${codings.left}'` }))
        }
        if (codings.right.length === 0) return
        const declared = headers["content-length"]
        if (declared !== undefined && Number(declared) <= streamAbove) {
          decodeAtEnd = codings.right
          return
        }
        decoder = makeBodyDecoder(codings.right, maxBytes, href, (result) => {
          if (result._tag === "Left") return fail(result.left)
          finish(Either.right(makeAnswer(status, headers, result.right, href, raw)))
        })
      }
      const handler: Undici.Dispatcher.DispatchHandler = {
        onRequestStart: (control) => {
          controller = control
          if (finished) control.abort(new Error("cancelled"))
        },
        onResponseStart: (_control, statusCode, rawHeaders) => {
          if (statusCode < 200) return
          if (spent !== undefined) {
            claimPhases(spent)
            headAt = performance.now()
          }
          started = true
          status = statusCode
          headers = flatHeaders(rawHeaders)
          if (limits.cookies !== undefined) limits.cookies.store(hop.url, rawHeaders["set-cookie"])
          if (limits.keepHeaders === true) raw = rawHeaders
          const location = headers["location"]
          if (isRedirect(statusCode, location)) {
            const next = nextHop(hop, statusCode, location, limits.maxRedirects, limits.secretHeaders)
            if (next._tag === "Left") return fail(next.left)
            redirect = next.right
            return
          }
          const declared = headers["content-length"]
          if (hop.save !== undefined && statusCode >= 200 && statusCode < 300) {
            if (declared !== undefined && Number(declared) > limits.maxBodyBytes) {
              return fail(bodyTooLarge(href, limits.maxBodyBytes, `content-length ${declared}`))
            }
            const problem = hop.save.begin()
            if (problem !== undefined) return fail(new TransportError({ url: href, message: problem, permanent: true }))
            saving = hop.save
            pausable = mayPause(headers["connection"])
            return
          }
          if (declared !== undefined && Number(declared) > maxBytes) {
            return tooLarge(`content-length ${declared}`)
          }
          // Only a body volley asked to be encoded (and is encoded) pays for decoding.
          const encoding = hop.decode === true ? headers["content-encoding"] : undefined
          if (encoding !== undefined) startDecoding(encoding)
        },
        onResponseData: (control, chunk) => {
          // A redirect's body is read and dropped, so its connection goes back to the pool.
          if (redirect !== undefined) return
          if (saving !== undefined) {
            length += chunk.length
            if (length > limits.maxBodyBytes) return fail(bodyTooLarge(href, limits.maxBodyBytes, "streamed"))
            // A disk slower than the network pauses the response: memory stays flat.
            if (!saving.write(chunk) && pausable) {
              control.pause()
              saving.onDrain(() => control.resume())
            }
            return
          }
          length += chunk.length
          if (length > maxBytes) return tooLarge("streamed without content-length")
          if (decoder !== undefined) return decoder.write(chunk)
          chunks.push(chunk)
        },
        onResponseEnd: () => {
          if (finished) return
          if (redirect !== undefined) return dispatch(redirect)
          if (saving !== undefined) {
            const sink = saving
            return sink.finish((result) => {
              if ("error" in result) {
                return finish(Either.left(new TransportError({ url: href, message: result.error })))
              }
              const answer = makeAnswer(status, headers, Buffer.alloc(0), href, raw)
              finish(Either.right({ ...answer, saved: result.saved }))
            })
          }
          if (decoder !== undefined) return decoder.end()
          const bytes = joined(chunks, length)
          chunks = []
          if (decodeAtEnd !== undefined) {
            const decoded = decodeAll(decodeAtEnd, bytes, maxBytes, href)
            if (decoded._tag === "Left") return fail(decoded.left)
            return finish(Either.right(makeAnswer(status, headers, decoded.right, href, raw)))
          }
          finish(Either.right(makeAnswer(status, headers, bytes, href, raw)))
        },
        onResponseError: (_control, error) => {
          if (finished) return
          // A 304 has no content, yet may say the representation's Content-Length (RFC 9110
          // §8.6); undici 7 counts it as body it never got. The answer itself is whole.
          if (status === 304 && length === 0 && isLengthMismatch(error)) {
            return finish(Either.right(makeAnswer(status, headers, Buffer.alloc(0), href, raw)))
          }
          finish(Either.left(transportFailure(hop.url, error, started)))
        }
      }
      controller = undefined
      const sent = limits.cookies === undefined ? hop.headers : withCookies(hop.headers, limits.cookies, hop.url)
      try {
        dispatcher.dispatch({
          origin: hop.url.origin,
          path: hop.url.pathname + hop.url.search,
          method: hop.method as Undici.Dispatcher.HttpMethod,
          headers: hop.body === undefined || headerValue(sent, "content-type") !== undefined
            ? sent
            : { ...sent, "content-type": bodyContentType(sent, hop.body) },
          body: hop.body ?? null,
          // The attempt's one deadline covers headers and body.
          headersTimeout: 0,
          bodyTimeout: 0
        }, handler)
      } catch (error) {
        finish(Either.left(transportFailure(hop.url, error)))
      }
    }
    dispatch(first)
    return () => {
      const control = controller
      if (settle()) control?.abort(new Error("interrupted"))
    }
  })
}
