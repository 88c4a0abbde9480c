/**
 * `--http2` over Node's own `node:http2`: one session per https origin, every request a stream
 * on it. undici's HTTP/2 client does much more per request (measured in PERFORMANCE.md: under
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
import { bodyTooLarge, effectiveBodyLimit } from "./BodyReader.js"
import { withCookies } from "./CookieJar.js"
import { makeDeadlines, maxTimerMs } from "./Deadlines.js"
import { type BodyDecoder, makeBodyDecoder, parseContentEncoding } from "./Decompression.js"
import { type Hop, isRedirect, nextHop } from "./Redirect.js"
import type { Answer } from "./RequestGate.js"
import { tlsConnectOptions, type TlsSettings } from "./TlsOptions.js"
import {
  bodyContentType,
  callbackTransport,
  headerValue,
  makeAnswer,
  type SendError,
  type SendLimits,
  type SendOutcome,
  timeoutError,
  type Transport,
  transportFailure,
  withHttpVersion
} from "./Transport.js"
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

/** How an origin is reached. */
type Route =
  | { readonly _tag: "Connecting"; readonly waiters: Array<(route: Ready) => void> }
  | Ready

type Ready =
  | { readonly _tag: "H2"; readonly session: http2.ClientHttp2Session }
  | { readonly _tag: "H1" }
  | { readonly _tag: "Failed"; readonly error: unknown }

export interface Http2Transport {
  readonly transport: Transport
  /** Closes every session (the owner's scope ends). */
  readonly close: () => void
}

/** A transport speaking HTTP/2 to https origins that agree, and `fallback` to the rest. */
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

export const makeHttp2Transport = (settings: TlsSettings | undefined, fallback: Transport): Http2Transport => {
  const deadlines = makeDeadlines()
  const routes = new Map<string, Route>()
  const connectOptions = tlsConnectOptions(settings)

  const connect = (url: URL): Route => {
    const waiters: Array<(route: Ready) => void> = []
    const route: Route = { _tag: "Connecting", waiters }
    routes.set(url.origin, route)
    const settle = (ready: Ready) => {
      // A failed connection is not remembered: the next attempt connects again.
      if (ready._tag === "Failed") routes.delete(url.origin)
      else routes.set(url.origin, ready)
      for (const waiter of waiters) waiter(ready)
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
      if (socket.alpnProtocol !== "h2") {
        socket.destroy()
        return settle({ _tag: "H1" })
      }
      const session = http2.connect(url.origin, { createConnection: () => socket })
      const forget = () => {
        if (routes.get(url.origin) === ready) routes.delete(url.origin)
      }
      // A session that ends (GOAWAY, error, idle close) is forgotten; its open streams fail.
      session.on("error", forget)
      session.on("goaway", forget)
      session.on("close", forget)
      const ready: Ready = { _tag: "H2", session }
      settle(ready)
    })
    return route
  }

  /** Calls `then` with the route of `url`'s origin, connecting first when needed. */
  const routeOf = (url: URL, then: (route: Ready) => void) => {
    const known = routes.get(url.origin) ?? connect(url)
    if (known._tag === "Connecting") known.waiters.push(then)
    else then(known)
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
    const finish = (outcome: SendOutcome) => {
      if (!settle()) return
      const open = stream
      stream = undefined
      if (open !== undefined && !open.closed) open.close(http2.constants.NGHTTP2_CANCEL)
      done(outcome)
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
        if (finished) return
        if (route._tag === "H1") return viaFallback(hop)
        if (route._tag === "Failed") return fail(transportFailure(hop.url, route.error))
        send(route.session, hop)
      })
    }

    const send = (session: http2.ClientHttp2Session, hop: Hop) => {
      const href = hop.url.href
      const headers: http2.OutgoingHttpHeaders = {
        ":method": hop.method,
        ":path": hop.url.pathname + hop.url.search,
        ":authority": hop.url.host
      }
      const own = limits.cookies === undefined ? hop.headers : withCookies(hop.headers, limits.cookies, hop.url)
      for (const name in own) {
        const lower = name.toLowerCase()
        if (!droppedHeaders.has(lower)) headers[lower] = own[name]
      }
      if (hop.body !== undefined && headerValue(own, "content-type") === undefined) {
        headers["content-type"] = bodyContentType(own, hop.body)
      }
      let request: http2.ClientHttp2Stream
      try {
        request = session.request(headers, { endStream: hop.body === undefined })
      } catch (error) {
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
        started = true
        status = Number(raw[":status"])
        if (limits.keepHeaders === true) rawHeaders = {}
        for (const name in raw) {
          if (name.startsWith(":")) continue
          const value = raw[name]
          if (rawHeaders !== undefined && value !== undefined) {
            rawHeaders[name] = Array.isArray(value) ? value : String(value)
          }
          answerHeaders[name] = Array.isArray(value)
            ? value.join(", ")
            : value === undefined
            ? undefined
            : String(value)
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
        if (finished) return
        const failure = transportFailure(hop.url, error, started)
        fail(failure)
      })
      request.on("close", () => {
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
      for (const route of routes.values()) if (route._tag === "H2") route.session.close()
      routes.clear()
    }
  }
}
