/**
 * `--http2` over Node's own `node:http2`: every request a stream on an h2 session of its https
 * origin — one session while the peer's SETTINGS_MAX_CONCURRENT_STREAMS has room, another
 * (up to `maxSessionsPerOrigin`) when every open one is at that limit, since past it streams
 * would only wait in the client. undici's HTTP/2 client does much more per request (measured in PERFORMANCE.md: under
 * half its HTTP/1.1 throughput, where `node:http2` is at par), so this transport is what makes
 * HTTP/2 worth offering.
 *
 * The TLS connection offers `h2` and `http/1.1` by ALPN; an origin whose server picks HTTP/1.1
 * (or any http:// URL, or a redirect to one) is sent through the fallback transport (undici)
 * from then on. Redirects, limits, decoding, charsets and errors follow the same rules as the
 * undici transport (`Redirect`, `Decompression`, `Charset`, `transportFailure`).
 *
 * @module
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as http2 from "node:http2"
import { isIP } from "node:net"
import * as tls from "node:tls"
import { DecodeError, TransportError } from "../domain/FetchError.js"
import { makeAnswer, withHttpVersion } from "./AnswerOf.js"
import { bodyTooLarge, effectiveBodyLimit } from "./BodyReader.js"
import { attemptTimings } from "./ConnectTimings.js"
import { withCookies } from "./CookieJar.js"
import { makeDeadlines, maxTimerMs } from "./Deadlines.js"
import { type BodyDecoder, makeBodyDecoder, parseContentEncoding } from "./Decompression.js"
import { type Hop, isRedirect, nextHop } from "./Redirect.js"
import type { Answer } from "./RequestGate.js"
import { bodyContentType, headerValue } from "./RequestHeaders.js"
import { tlsConnectOptions, type TlsSettings } from "./TlsOptions.js"
import {
  callbackTransport,
  type SendError,
  type SendLimits,
  type SendOutcome,
  timeoutError,
  type TransportService
} from "./Transport.js"
import { transportFailure } from "./TransportFailure.js"
import { loopbackAwareLookup } from "./UndiciAgent.js"

/** Headers HTTP/2 forbids (connection-specific) or sets itself. */
const droppedHeaders: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host"
])

/** One h2 session of an origin, and how many of its streams are open. */
interface Live {
  readonly _tag: "H2"
  readonly session: http2.ClientHttp2Session
  /** Streams started on it and not yet closed. */
  inFlight: number
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (nginx: 128). */
  limit: number
}

/** How an origin is reached: its h2 sessions, or HTTP/1.1 (the fallback) when ALPN said so. */
interface Origin {
  readonly sessions: Array<Live>
  /** Sessions being opened (TLS handshake, the peer's first SETTINGS). */
  connecting: number
  /** Attempts waiting for a session being opened. */
  readonly waiters: Array<(route: Ready) => void>
  /** The server chose http/1.1 by ALPN: every request goes to the fallback. */
  h1: boolean
}

type Ready =
  | Live
  | { readonly _tag: "H1" }
  | { readonly _tag: "Failed"; readonly error: unknown }

const viaH1: Ready = { _tag: "H1" }

/**
 * At most this many sessions per origin: past it, streams queue in the fullest sessions' nghttp2
 * (which starts them as others close) rather than opening connections without end.
 */
export const maxSessionsPerOrigin = 8

/** A peer's limit when it gives none (RFC 9113 leaves it unlimited). */
const unlimited = 2 ** 31 - 1

export interface Http2Transport {
  readonly transport: TransportService
  /** Closes every session (the owner's scope ends). */
  readonly close: () => void
}

/** An answer that came over HTTP/2: with `--include-headers`, its headers and version too. */
const h2Answer = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  bytes: Buffer,
  href: string,
  raw: Answer["rawHeaders"]
): Answer => {
  const answer = makeAnswer(status, headers, bytes, href, raw)
  return raw === undefined ? answer : { ...answer, httpVersion: "2" }
}

const endStream: http2.ClientSessionRequestOptions = { endStream: true }
const keepOpen: http2.ClientSessionRequestOptions = { endStream: false }

/** A request's own headers as HTTP/2 takes them: lower case, without the connection-specific ones. */
const ownHeaders = (own: Readonly<Record<string, string>>): http2.OutgoingHttpHeaders => {
  const headers: http2.OutgoingHttpHeaders = {}
  for (const name in own) {
    const lower = name.toLowerCase()
    if (!droppedHeaders.has(lower)) headers[lower] = own[name]
  }
  return headers
}

/** The same headers object is sent with every request of a run: it is lower-cased once. */
const preparedHeaders = new WeakMap<object, http2.OutgoingHttpHeaders>()

/** A fresh headers object for one request (node:http2 copies it, but the pseudo-headers differ). */
const h2Headers = (own: Readonly<Record<string, string>>, cacheable: boolean): http2.OutgoingHttpHeaders => {
  if (!cacheable) return ownHeaders(own)
  let prepared = preparedHeaders.get(own)
  if (prepared === undefined) {
    prepared = ownHeaders(own)
    preparedHeaders.set(own, prepared)
  }
  return { ...prepared }
}

/** A transport speaking HTTP/2 to https origins that agree, and `fallback` to the rest. */
export const makeHttp2Transport = (settings: TlsSettings | undefined, fallback: TransportService): Http2Transport => {
  const deadlines = makeDeadlines()
  const origins = new Map<string, Origin>()
  /** The owner closed the transport: a session still being opened is closed as it opens. */
  let closed = false
  const connectOptions = tlsConnectOptions(settings)

  /** The session of `origin` with room for one more stream, the least loaded. */
  const roomIn = (origin: Origin): Live | undefined => {
    const sessions = origin.sessions
    if (sessions.length === 1) {
      const only = sessions[0]!
      return only.inFlight < only.limit ? only : undefined
    }
    let best: Live | undefined
    for (const live of sessions) {
      if (live.inFlight < live.limit && (best === undefined || live.inFlight < best.inFlight)) best = live
    }
    return best
  }

  /** The least loaded session, room or not (every session full and no more may be opened). */
  const leastLoaded = (origin: Origin): Live | undefined => {
    let best: Live | undefined
    for (const live of origin.sessions) if (best === undefined || live.inFlight < best.inFlight) best = live
    return best
  }

  /** Gives `live` (one stream reserved on it) to `then`. */
  const handOut = (live: Live, then: (route: Ready) => void) => {
    live.inFlight++
    then(live)
  }

  /** Serves the attempts waiting for a session, opening more sessions while they do not fit. */
  const serveWaiters = (url: URL, origin: Origin) => {
    const waiters = origin.waiters
    let served = 0
    while (served < waiters.length) {
      const live = roomIn(origin)
      if (live === undefined) {
        if (origin.connecting > 0) break
        if (origin.sessions.length < maxSessionsPerOrigin) {
          connect(url, origin)
          break
        }
        // As many sessions as allowed, all full: the least loaded queues the stream itself.
        handOut(leastLoaded(origin)!, waiters[served++]!)
        continue
      }
      handOut(live, waiters[served++]!)
    }
    waiters.splice(0, served)
  }

  const connect = (url: URL, origin: Origin) => {
    origin.connecting++
    const settle = (ready: Ready) => {
      origin.connecting--
      if (ready._tag === "H2") {
        origin.sessions.push(ready)
        return serveWaiters(url, origin)
      }
      if (ready._tag === "H1") origin.h1 = true
      // A failed connection is not remembered: the next attempt connects again. Waiters go to
      // the sessions already open, when there are some.
      const waiters = origin.waiters.splice(0)
      for (const waiter of waiters) {
        const live = ready._tag === "Failed" ? leastLoaded(origin) : undefined
        if (live !== undefined) handOut(live, waiter)
        else waiter(ready)
      }
    }
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
    // tls.connect hands the socket options (both families, the lookup) to net.connect.
    const options: tls.ConnectionOptions & { readonly autoSelectFamily: boolean } = {
      ...connectOptions,
      host,
      port: Number(url.port || 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ALPNProtocols: ["h2", "http/1.1"],
      autoSelectFamily: true,
      lookup: loopbackAwareLookup
    }
    const socket = tls.connect(options)
    const onError = (error: unknown) => settle({ _tag: "Failed", error })
    socket.once("error", onError)
    socket.once("secureConnect", () => {
      socket.off("error", onError)
      if (closed) {
        socket.destroy()
        return settle({ _tag: "Failed", error: new Error("the HTTP/2 transport was closed") })
      }
      if (socket.alpnProtocol !== "h2") {
        socket.destroy()
        return settle(viaH1)
      }
      const session = http2.connect(url.origin, { createConnection: () => socket })
      const live: Live = { _tag: "H2", session, inFlight: 0, limit: unlimited }
      let ready = false
      // The session is used once the peer's first SETTINGS (its connection preface) has said
      // how many streams it takes: streams sent past that before it are refused (REFUSED_STREAM),
      // where later ones wait in nghttp2 for a slot.
      session.on("remoteSettings", (remote) => {
        live.limit = remote.maxConcurrentStreams ?? unlimited
        if (!ready) {
          ready = true
          return settle(live)
        }
        // A larger limit makes room for attempts that were waiting for another session.
        if (origin.waiters.length > 0) serveWaiters(url, origin)
      })
      const forget = (error?: unknown) => {
        if (!ready) {
          ready = true
          session.destroy()
          return settle({ _tag: "Failed", error: error ?? new Error("the HTTP/2 session closed before its settings") })
        }
        const at = origin.sessions.indexOf(live)
        if (at >= 0) origin.sessions.splice(at, 1)
      }
      // A session that ends (GOAWAY, error, idle close) is forgotten; its open streams fail.
      session.on("error", forget)
      session.on("goaway", () => forget())
      session.on("close", () => forget())
    })
  }

  /**
   * Calls `then` with how `url`'s origin is reached: HTTP/1.1, a failure, or an h2 session with
   * one stream reserved for the caller, who gives it back (`release`) once its stream closes or
   * if it sends none.
   */
  const routeOf = (url: URL, then: (route: Ready) => void) => {
    let origin = origins.get(url.origin)
    if (origin === undefined) {
      origin = { sessions: [], connecting: 0, waiters: [], h1: false }
      origins.set(url.origin, origin)
    }
    if (origin.h1) return then(viaH1)
    const live = origin.waiters.length === 0 ? roomIn(origin) : undefined
    if (live !== undefined) return handOut(live, then)
    origin.waiters.push(then)
    if (origin.connecting === 0) serveWaiters(url, origin)
  }

  /** Gives back the stream reserved on `live`. */
  const release = (live: Live) => {
    live.inFlight--
  }

  const timeouts = new WeakMap<SendLimits, number>()
  const timeoutMsOf = (limits: SendLimits) => {
    let ms = timeouts.get(limits)
    if (ms === undefined) {
      ms = Duration.toMillis(limits.timeout)
      timeouts.set(limits, ms)
    }
    return ms
  }

  const transport = callbackTransport((first, limits, done) => {
    let finished = false
    let stream: http2.ClientHttp2Stream | undefined
    let decoder: BodyDecoder | undefined
    let cancelFallback: (() => void) | undefined
    const settle = (): boolean => {
      if (finished) return false
      finished = true
      deadline?.clear()
      decoder?.destroy()
      decoder = undefined
      return true
    }
    // `--timings` over HTTP/2: first byte and total (a session's connection is shared by many
    // attempts, so no attempt is said to have paid for its phases).
    const timed = limits.timings === true
    const startedAt = timed ? performance.now() : 0
    let headAt = 0
    const finish = (outcome: SendOutcome) => {
      if (!settle()) return
      const open = stream
      stream = undefined
      if (open !== undefined && !open.closed) open.close(http2.constants.NGHTTP2_CANCEL)
      done(
        timed && outcome._tag === "Right"
          ? Either.right({ ...outcome.right, timings: attemptTimings({}, startedAt, headAt) })
          : outcome
      )
    }
    const fail = (error: SendError) => finish(Either.left(error))
    const timeoutMs = timeoutMsOf(limits)
    const deadline = timeoutMs <= maxTimerMs
      ? deadlines.after(timeoutMs, () => {
        cancelFallback?.()
        fail(timeoutError(first.url.href, limits.timeout))
      })
      : undefined

    const viaFallback = (hop: Hop) => {
      // The rest of the attempt is the fallback's, under its own deadline.
      deadline?.clear()
      cancelFallback = fallback.start!(hop, limits, (outcome) => {
        // Plain http://, or an origin whose ALPN chose http/1.1: the fallback spoke HTTP/1.1.
        if (settle()) done(limits.keepHeaders === true ? withHttpVersion(outcome, "1.1") : outcome)
      })
    }

    const dispatch = (hop: Hop) => {
      if (hop.url.protocol !== "https:") return viaFallback(hop)
      routeOf(hop.url, (route) => {
        if (route._tag === "H1") return finished ? undefined : viaFallback(hop)
        if (route._tag === "Failed") return fail(transportFailure(hop.url, route.error))
        if (finished) return release(route)
        send(route, hop)
      })
    }

    const send = (live: Live, hop: Hop) => {
      const href = hop.url.href
      const own = limits.cookies === undefined ? hop.headers : withCookies(hop.headers, limits.cookies, hop.url)
      const headers = h2Headers(own, limits.cookies === undefined)
      headers[":method"] = hop.method
      headers[":path"] = hop.url.pathname + hop.url.search
      headers[":authority"] = hop.url.host
      if (hop.body !== undefined && headerValue(own, "content-type") === undefined) {
        headers["content-type"] = bodyContentType(own, hop.body)
      }
      let request: http2.ClientHttp2Stream
      try {
        request = live.session.request(headers, hop.body === undefined ? endStream : keepOpen)
      } catch (error) {
        release(live)
        return fail(transportFailure(hop.url, error))
      }
      stream = request
      if (hop.body !== undefined) request.end(hop.body)
      let status = 0
      const answerHeaders: Record<string, string | undefined> = {}
      /** The headers as received, with `--include-headers` (a repeated one as a list). */
      let rawHeaders: Record<string, string | ReadonlyArray<string>> | undefined
      let redirect: Hop | undefined
      let started = false
      /** The stream ended or failed (its `close` that follows says nothing new). */
      let over = false
      let chunks: Array<Buffer> = []
      let length = 0
      // The same limit and message as the undici transport: --max-body, never past what a record holds.
      const maxBytes = effectiveBodyLimit(limits.maxBodyBytes)
      const tooLarge = (seen: string) => fail(bodyTooLarge(href, limits.maxBodyBytes, seen))
      request.on("response", (raw) => {
        if (finished) return
        if (timed) headAt = performance.now()
        started = true
        status = Number(raw[":status"])
        if (limits.keepHeaders === true) rawHeaders = {}
        for (const name in raw) {
          // Pseudo-headers (":status") start with a colon (58).
          if (name.charCodeAt(0) === 58) continue
          const value = raw[name]
          // node:http2 gives strings, joined with ", " when repeated, except set-cookie (a list).
          if (typeof value === "string") {
            answerHeaders[name] = value
            if (rawHeaders !== undefined) rawHeaders[name] = value
          } else if (value !== undefined) {
            answerHeaders[name] = Array.isArray(value) ? value.join(", ") : String(value)
            if (rawHeaders !== undefined) rawHeaders[name] = Array.isArray(value) ? value : String(value)
          }
        }
        if (limits.cookies !== undefined) limits.cookies.store(hop.url, raw["set-cookie"])
        const location = answerHeaders["location"]
        if (isRedirect(status, location)) {
          const next = nextHop(hop, status, location, limits.maxRedirects, limits.secretHeaders)
          if (next._tag === "Left") return fail(next.left)
          redirect = next.right
          return
        }
        const declared = answerHeaders["content-length"]
        if (declared !== undefined && Number(declared) > maxBytes) {
          return tooLarge(`content-length ${declared}`)
        }
        const encoding = hop.decode === true ? answerHeaders["content-encoding"] : undefined
        if (encoding === undefined) return
        const codings = parseContentEncoding(encoding)
        if (codings._tag === "Left") {
          return fail(new DecodeError({ url: href, message: `unsupported content-encoding '${codings.left}'` }))
        }
        if (codings.right.length === 0) return
        decoder = makeBodyDecoder(codings.right, maxBytes, href, (result) => {
          if (result._tag === "Left") return fail(result.left)
          finish(Either.right(h2Answer(status, answerHeaders, result.right, href, rawHeaders)))
        })
      })
      request.on("data", (chunk: Buffer) => {
        if (finished || redirect !== undefined) return
        length += chunk.length
        if (length > maxBytes) return tooLarge("streamed without content-length")
        if (decoder !== undefined) return decoder.write(chunk)
        chunks.push(chunk)
      })
      request.on("end", () => {
        over = true
        // Ended as it should: nothing to cancel (an RST_STREAM now would cost both sides a frame).
        if (stream === request) stream = undefined
        if (finished) return
        if (redirect !== undefined) {
          stream = undefined
          return dispatch(redirect)
        }
        if (decoder !== undefined) return decoder.end()
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)
        chunks = []
        finish(Either.right(h2Answer(status, answerHeaders, bytes, href, rawHeaders)))
      })
      request.on("error", (error) => {
        over = true
        if (stream === request) stream = undefined
        if (finished) return
        const failure = transportFailure(hop.url, error, started)
        fail(failure)
      })
      request.on("close", () => {
        release(live)
        if (stream === request) stream = undefined
        if (finished || over) return
        // Closed without an end or an error: the session went away under it.
        fail(new TransportError({ url: href, message: "the HTTP/2 stream was closed before the answer ended" }))
      })
    }

    dispatch(first)
    return () => {
      cancelFallback?.()
      const open = stream
      stream = undefined
      if (settle() && open !== undefined && !open.closed) open.close(http2.constants.NGHTTP2_CANCEL)
    }
  })

  return {
    transport,
    close: () => {
      closed = true
      for (const origin of origins.values()) for (const live of origin.sessions) live.session.close()
      origins.clear()
    }
  }
}
