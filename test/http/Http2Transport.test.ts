/**
 * The `node:http2` transport behind `--http2`: h2 where the server agrees, undici (HTTP/1.1)
 * where it does not, and the same redirects, decoding, bodies and errors as the undici path.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as http2 from "node:http2"
import type { AddressInfo } from "node:net"
import { makeSessionCookies } from "../../src/http/CookieJar.js"
import { makeHttp2Transport, maxSessionsPerOrigin } from "../../src/http/Http2Transport.js"
import type { Hop } from "../../src/http/Redirect.js"
import type { TlsSettings } from "../../src/http/TlsOptions.js"
import type { SendLimits } from "../../src/http/Transport.js"
import { scopedAgent } from "../../src/http/UndiciAgent.js"
import { makeUndiciTransport } from "../../src/http/UndiciTransport.js"
import { testCerts } from "../support/TestCerts.js"
import { http2Server, httpServer, httpsServer } from "../support/TestServers.js"

const limits: SendLimits = { timeout: Duration.seconds(5), maxBodyBytes: 1024 * 1024, maxRedirects: 5 }
const certs = testCerts()
const signed = { cert: certs.serverCert, key: certs.serverKey }
const trusted: TlsSettings = { ca: certs.ca }

const hop = (url: string, more: Partial<Hop> = {}): Hop => ({
  method: "GET",
  url: new URL(url),
  headers: {},
  body: undefined,
  redirects: 0,
  ...more
})

/** Sends `target` with the h2 transport (undici as its fallback); the outcome. */
const send = (target: Hop, settings: TlsSettings = trusted, sendLimits: SendLimits = limits) =>
  Effect.gen(function*() {
    const agent = yield* scopedAgent({ env: {}, tls: settings })
    const h2 = yield* Effect.acquireRelease(
      Effect.sync(() => makeHttp2Transport(settings, makeUndiciTransport(agent))),
      (made) => Effect.sync(made.close)
    )
    const result = yield* Effect.either(h2.transport.send(target, sendLimits))
    return result._tag === "Right"
      ? {
        status: result.right.status,
        body: JSON.parse(result.right.text) as Record<string, unknown>,
        rawHeaders: result.right.rawHeaders,
        httpVersion: result.right.httpVersion,
        timings: result.right.timings
      }
      : { error: result.left._tag, message: result.left.message }
  })

describe("Http2Transport", () => {
  it.scoped("speaks h2 to a server that agrees (h2 only, or both)", () =>
    Effect.gen(function*() {
      const only = yield* http2Server({ ...signed, allowHTTP1: false })
      expect(yield* send(hop(`${only}/a?b=1`))).toMatchObject({
        status: 200,
        body: { path: "/a?b=1", httpVersion: "2.0" }
      })
      const both = yield* http2Server({ ...signed, allowHTTP1: true })
      expect(yield* send(hop(both))).toMatchObject({ body: { httpVersion: "2.0" } })
    }))

  it.scoped("falls back to HTTP/1.1 (undici) for a server without h2, and for http://", () =>
    Effect.gen(function*() {
      const h1 = yield* httpsServer(signed)
      expect(yield* send(hop(`${h1}/one`))).toMatchObject({ status: 200, body: { httpVersion: "1.1" } })
      const plain = yield* httpServer()
      expect(yield* send(hop(`${plain}/two`))).toMatchObject({ status: 200, body: { httpVersion: "1.1" } })
    }))

  it.scoped("follows redirects, sends bodies, decodes gzip", () =>
    Effect.gen(function*() {
      const url = yield* http2Server({ ...signed, allowHTTP1: false })
      expect(yield* send(hop(`${url}/redirect`))).toMatchObject({ body: { path: "/after-redirect" } })
      const posted = yield* send(hop(`${url}/p`, { method: "POST", body: "{\"a\":1}" }))
      expect(posted).toMatchObject({ body: { received: "{\"a\":1}", httpVersion: "2.0" } })
      const gz = yield* send(hop(`${url}/gzip`, { headers: { "accept-encoding": "gzip" }, decode: true }))
      expect(gz).toMatchObject({ body: { path: "/gzip", httpVersion: "2.0" } })
    }))

  it.scoped("with --include-headers: the headers as received and the version, over h2 and the fallback", () =>
    Effect.gen(function*() {
      const keep: SendLimits = { ...limits, keepHeaders: true }
      const url = yield* http2Server({ ...signed, allowHTTP1: false })
      const h2 = yield* send(hop(`${url}/a`), trusted, keep)
      expect(h2).toMatchObject({ httpVersion: "2", rawHeaders: { "content-type": "application/json" } })
      expect(Object.keys(h2.rawHeaders ?? {}).some((name) => name.startsWith(":"))).toBe(false)
      const h1 = yield* send(hop(`${yield* httpsServer(signed)}/b`), trusted, keep)
      expect(h1).toMatchObject({ httpVersion: "1.1", rawHeaders: { "content-type": "application/json" } })
      // Without it, neither (the default record is unchanged).
      expect(yield* send(hop(`${url}/c`))).toMatchObject({ httpVersion: undefined, rawHeaders: undefined })
    }))

  it.scoped("with timings: first byte and total over h2; the fallback's HTTP/1.1 adds its connection's phases", () =>
    Effect.gen(function*() {
      const timed: SendLimits = { ...limits, timings: true }
      const url = yield* http2Server({ ...signed, allowHTTP1: false })
      const h2 = yield* send(hop(`${url}/a`), trusted, timed)
      expect(Object.keys(h2.timings ?? {}).sort()).toEqual(["total", "ttfb"])
      expect(h2.timings!.total).toBeGreaterThanOrEqual(h2.timings!.ttfb)
      const h1 = yield* send(hop(`${yield* httpsServer(signed)}/b`), trusted, timed)
      expect(Object.keys(h1.timings ?? {}).sort()).toEqual(["connect", "tls", "total", "ttfb"])
      expect(yield* send(hop(`${url}/c`))).toMatchObject({ timings: undefined })
    }))

  it.scoped("keeps the session's cookies over h2: a redirect hop's Set-Cookie is sent on the next hop", () =>
    Effect.gen(function*() {
      const url = yield* http2Server({ ...signed, allowHTTP1: false })
      const cookies = makeSessionCookies()
      const answer = yield* send(hop(`${url}/set-cookie`), trusted, { ...limits, cookies })
      expect(answer).toMatchObject({ status: 200, body: { path: "/after-cookie", headers: { cookie: "a=1; b=2" } } })
      expect(cookies.header(new URL(`${url}/other`))).toBe("a=1; b=2")
    }))

  it.scoped("a certificate that is not trusted is the same plain-words error as on undici", () =>
    Effect.gen(function*() {
      const url = yield* http2Server({ cert: certs.selfSignedCert, key: certs.selfSignedKey, allowHTTP1: false })
      expect(yield* send(hop(url), {})).toEqual({
        error: "TransportError",
        message: "self-signed certificate for 127.0.0.1; pass --cacert or --insecure (DEPTH_ZERO_SELF_SIGNED_CERT)"
      })
      expect(yield* send(hop(url), { insecure: true })).toMatchObject({ status: 200 })
    }))

  it.scoped("many requests share one session, in flight together", () =>
    Effect.gen(function*() {
      const url = yield* http2Server({ ...signed, allowHTTP1: false })
      const agent = yield* scopedAgent({ env: {}, tls: trusted })
      const h2 = makeHttp2Transport(trusted, makeUndiciTransport(agent))
      yield* Effect.addFinalizer(() => Effect.sync(h2.close))
      const answers = yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        (i) => h2.transport.send(hop(`${url}/n/${i}`), limits),
        { concurrency: 50 }
      )
      expect(answers.map((a) => (JSON.parse(a.text) as { path: string }).path)).toEqual(
        Array.from({ length: 50 }, (_, i) => `/n/${i}`)
      )
      const ports = new Set(answers.map((a) => (JSON.parse(a.text) as { clientPort: number }).clientPort))
      expect(ports.size).toBe(1)
    }))

  it.scoped("opens another session when the first is at the peer's stream limit, up to a bound", () =>
    Effect.gen(function*() {
      // A server allowing one stream per session, answering only once `hold` requests are in
      // flight at the same time: two at once can only both arrive on two sessions.
      let hold = 1
      const waiting: Array<http2.Http2ServerResponse> = []
      const server = http2.createSecureServer({ ...signed, settings: { maxConcurrentStreams: 1 } }, (_req, res) => {
        waiting.push(res)
        if (waiting.length < hold) return
        for (const pending of waiting.splice(0)) {
          pending.writeHead(200, { "content-type": "application/json" })
          pending.end(JSON.stringify({ clientPort: pending.req.socket.remotePort }))
        }
      })
      server.on("sessionError", () => {})
      const url = yield* Effect.acquireRelease(
        Effect.async<string>((resume) => {
          server.listen(
            0,
            "127.0.0.1",
            () => resume(Effect.succeed(`https://127.0.0.1:${(server.address() as AddressInfo).port}`))
          )
        }),
        () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const agent = yield* scopedAgent({ env: {}, tls: trusted })
      const h2 = makeHttp2Transport(trusted, makeUndiciTransport(agent))
      yield* Effect.addFinalizer(() => Effect.sync(h2.close))
      const portOf = (answer: { readonly text: string }) =>
        (JSON.parse(answer.text) as { clientPort: number }).clientPort
      // The first request opens a session and learns the peer's limit (its SETTINGS).
      const first = portOf(yield* h2.transport.send(hop(`${url}/warm`), limits))
      hold = 2
      const pair = yield* Effect.forEach(
        ["/a", "/b"],
        (path) => h2.transport.send(hop(`${url}${path}`), limits),
        { concurrency: 2 }
      )
      const pairPorts = new Set(pair.map(portOf))
      expect(pairPorts.size).toBe(2)
      expect(pairPorts.has(first)).toBe(true)
      // More at once than sessions may be opened: the rest queue on open sessions, and all end.
      hold = 1
      const many = yield* Effect.forEach(
        Array.from({ length: 3 * maxSessionsPerOrigin }, (_, i) => i),
        (i) => h2.transport.send(hop(`${url}/m/${i}`), limits),
        { concurrency: "unbounded" }
      )
      expect(many.every((answer) => answer.status === 200)).toBe(true)
      const sessions = new Set(many.map(portOf))
      expect(sessions.size).toBeGreaterThan(1)
      expect(sessions.size).toBeLessThanOrEqual(maxSessionsPerOrigin)
    }))
})
