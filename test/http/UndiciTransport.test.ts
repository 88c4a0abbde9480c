/**
 * The fast undici transport and the generic one (over `HttpClient.execute`) against the demo API
 * on a loopback port: every scenario must end the same way on both.
 */
import { NodeHttpClient } from "@effect/platform-node"
import type * as Undici from "@effect/platform-node/Undici"
import { describe, expect, layer } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, FiberRef, Layer, Schedule } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as zlib from "node:zlib"
import { BodyTooLarge, isTransient } from "../../src/domain/FetchError.js"
import { withSecretHeaders } from "../../src/http/FetchOptions.js"
import { httpClientTransport } from "../../src/http/HttpClientTransport.js"
import { currentInFlight, withInFlight } from "../../src/http/InFlight.js"
import type { Hop } from "../../src/http/Redirect.js"
import { type SendLimits, type TransportService } from "../../src/http/Transport.js"
import { scopedAgent } from "../../src/http/UndiciAgent.js"
import { makeUndiciHttpClient } from "../../src/http/UndiciHttpClient.js"
import { makeUndiciTransport } from "../../src/http/UndiciTransport.js"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"
import { sample, startRealWebServer } from "../support/RealWebServer.js"

const limits: SendLimits = { timeout: Duration.seconds(5), maxBodyBytes: 1024 * 1024, maxRedirects: 5 }

const hop = (url: string, more: Partial<Hop> = {}): Hop => ({
  method: "GET",
  url: new URL(url),
  headers: {},
  body: undefined,
  redirects: 0,
  ...more
})

/** Both transports over one pooled agent. */
const transports = Effect.map(NodeHttpClient.Dispatcher, (agent) => ({
  fast: makeUndiciTransport(agent),
  generic: httpClientTransport(makeUndiciHttpClient(agent))
}))

/** The outcome of one send, reduced to what both transports must agree on. */
const outcome = (transport: TransportService, target: Hop, sendLimits: SendLimits = limits) =>
  Effect.map(Effect.either(transport.send(target, sendLimits)), (result) =>
    result._tag === "Right"
      ? {
        status: result.right.status,
        url: result.right.url,
        text: result.right.text,
        ...(result.right.bodyEncoding === undefined ? {} : { bodyEncoding: result.right.bodyEncoding })
      }
      : { error: result.left._tag, message: result.left.message })

/** Runs `target` on both transports and returns the shared outcome (they must be equal). */
const same = (target: Hop, sendLimits?: SendLimits) =>
  Effect.gen(function*() {
    const { fast, generic } = yield* transports
    const a = yield* outcome(fast, target, sendLimits)
    const b = yield* outcome(generic, target, sendLimits)
    expect(a).toEqual(b)
    return a
  })

layer(Layer.scoped(NodeHttpClient.Dispatcher, scopedAgent()), { excludeTestServices: true })("transports", (it) => {
  describe("agree", () => {
    it.scoped("on a 304 that repeats the representation's Content-Length (RFC 9110 §8.6)", () =>
      Effect.gen(function*() {
        const { url } = yield* startLoopbackServer((_, response) => {
          response.writeHead(304, { "content-length": "1234", etag: "\"v1\"" }).end()
        })
        expect(yield* same(hop(`${url}/cached`))).toEqual({ status: 304, url: `${url}/cached`, text: "" })
      }))

    it.scoped("on a JSON answer", () =>
      Effect.gen(function*() {
        const { url } = yield* startDemoServer()
        const result = yield* same(hop(`${url}/json/3`))
        expect(result).toMatchObject({ status: 200, url: `${url}/json/3` })
        expect(JSON.parse((result as { text: string }).text)).toMatchObject({ id: 3 })
      }))

    it.scoped("on redirects followed, and refused past --max-redirects", () =>
      Effect.gen(function*() {
        const { url } = yield* startDemoServer()
        expect(yield* same(hop(`${url}/redirect/2`))).toMatchObject({ status: 200, url: `${url}/json/0` })
        const refused = yield* same(hop(`${url}/redirect/3`), { ...limits, maxRedirects: 1 })
        expect(refused).toMatchObject({ error: "StatusError" })
        expect((refused as { message: string }).message).toContain("too many redirects")
      }))

    it.scoped("on credentials: kept on the same origin, dropped on another", () =>
      Effect.gen(function*() {
        const a = yield* startDemoServer()
        const b = yield* startDemoServer()
        const headers = { authorization: "Bearer secret", "x-kept": "yes" }
        const echoed = (result: unknown) => JSON.parse((result as { text: string }).text).headers
        const same0 = yield* same(hop(`${a.url}/redirect-to?url=/echo`, { headers }))
        expect(echoed(same0)).toMatchObject({ authorization: "<redacted>", "x-kept": "yes" })
        const cross = yield* same(hop(`${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`, { headers }))
        expect(echoed(cross).authorization).toBeUndefined()
        expect(echoed(cross)["x-kept"]).toBe("yes")
      }))

    it.scoped("on every secret header of the one list, and --secret-header names: dropped across origins", () =>
      Effect.gen(function*() {
        const a = yield* startDemoServer()
        const b = yield* startDemoServer()
        const headers = {
          "X-Api-Key": "k1",
          "x-auth-token": "t1",
          "Api-Key": "k2",
          cookie: "c=1",
          "proxy-authorization": "Basic x",
          "X-Custom": "mine",
          "x-plain": "p"
        }
        const echoed = (result: unknown) => JSON.parse((result as { text: string }).text).headers
        const toB = `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`
        const cross = echoed(yield* same(hop(toB, { headers })))
        for (const name of ["x-api-key", "x-auth-token", "api-key", "cookie", "proxy-authorization"]) {
          expect(cross[name]).toBeUndefined()
        }
        expect(cross["x-custom"]).toBe("mine")
        expect(cross["x-plain"]).toBe("p")
        // A header the user marks secret goes the same way.
        const marked = { ...limits, secretHeaders: withSecretHeaders(["X-Custom"]) }
        const crossMarked = echoed(yield* same(hop(toB, { headers }), marked))
        expect(crossMarked["x-custom"]).toBeUndefined()
        expect(crossMarked["x-plain"]).toBe("p")
        // On the same origin every header stays.
        const kept = echoed(yield* same(hop(`${a.url}/redirect-to?url=/echo`, { headers }), marked))
        expect(Object.keys(kept)).toEqual(expect.arrayContaining(["x-api-key", "api-key", "x-custom", "x-plain"]))
      }))

    it.scoped("on a body larger than a string can hold, under a larger --max-body: BodyTooLarge, unread", () =>
      Effect.gen(function*() {
        // Declares 600 MiB and sends 1 KiB: nothing past the headers needs to be read.
        const server = yield* Effect.acquireRelease(
          Effect.async<Server>((resume) => {
            const s = createServer((_, res) => {
              res.writeHead(200, { "content-length": String(600 * 1024 * 1024) })
              res.write(Buffer.alloc(1024))
            })
            s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
          }),
          (s) => Effect.sync(() => s.close()).pipe(Effect.zipRight(Effect.sync(() => s.closeAllConnections())))
        )
        const { port } = server.address() as AddressInfo
        const result = yield* same(hop(`http://127.0.0.1:${port}/big`), { ...limits, maxBodyBytes: 1024 ** 3 })
        expect(result).toMatchObject({ error: "BodyTooLarge" })
        expect((result as { message: string }).message).toContain("a body can hold in memory")
        expect(isTransient(new BodyTooLarge({ url: "", limitBytes: 0, message: "" }))).toBe(false)
      }))

    it.scoped("on a body sent with its content type", () =>
      Effect.gen(function*() {
        const { url } = yield* startDemoServer()
        const result = yield* same(hop(`${url}/echo`, { method: "POST", body: "{\"a\":1}" }))
        const echoed = JSON.parse((result as { text: string }).text)
        expect(echoed).toMatchObject({ method: "POST", body: "{\"a\":1}" })
        expect(echoed.headers["content-type"]).toBe("application/json")
      }))

    it.scoped("on bodies over the limit, declared or streamed", () =>
      Effect.gen(function*() {
        const { url } = yield* startDemoServer()
        const small = { ...limits, maxBodyBytes: 1024 }
        const declared = yield* same(hop(`${url}/bytes/2048`), small)
        expect(declared).toMatchObject({ error: "BodyTooLarge" })
        expect((declared as { message: string }).message).toContain("content-length 2048")
        const streamed = yield* same(hop(`${url}/bytes/40000?chunked=1`), { ...limits, maxBodyBytes: 20_000 })
        expect(streamed).toMatchObject({ error: "BodyTooLarge" })
        expect(yield* same(hop(`${url}/bytes/1024`), small)).toMatchObject({ status: 200 })
      }))

    it.scoped("on a body slower than the time-out", () =>
      Effect.gen(function*() {
        const { url } = yield* startDemoServer()
        const result = yield* same(hop(`${url}/slow-body?ms=3000`), { ...limits, timeout: Duration.millis(150) })
        expect(result).toEqual({ error: "TimeoutError", message: "no complete answer within 150ms" })
      }))

    it.scoped("on a refused connection", () =>
      Effect.gen(function*() {
        const result = yield* same(hop("http://127.0.0.1:1/json/1"))
        expect(result).toMatchObject({ error: "TransportError" })
        expect((result as { message: string }).message).toContain("ECONNREFUSED")
      }))
  })

  describe("agree on compressed bodies", () => {
    /** A hop volley decodes: it offered its own Accept-Encoding. */
    const decoded = (url: string) => hop(url, { headers: { "accept-encoding": "gzip, deflate, br" }, decode: true })

    it.scoped("gzip, x-gzip, deflate (zlib and raw), br and stacked codings are undone", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        for (const name of ["plain", "gzip", "x-gzip", "deflate-zlib", "deflate-raw", "br", "stacked"]) {
          expect(yield* same(decoded(`${url}/${name}`))).toEqual({ status: 200, url: `${url}/${name}`, text: sample })
        }
      }))

    it.scoped("a body large on the wire is decoded as a stream, in pieces", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        for (const name of ["big-gzip", "big-br-raw-deflate"]) {
          const result = yield* same(decoded(`${url}/${name}`))
          expect(JSON.parse((result as { text: string }).text).rows).toHaveLength(20_000)
        }
      }))

    it.scoped("a gzip bomb (1 GiB of zeros, 1 MiB on the wire) fails with BodyTooLarge, in bounded memory", () =>
      Effect.gen(function*() {
        const { url, written } = yield* startRealWebServer()
        const before = process.memoryUsage().rss
        const result = yield* same(decoded(`${url}/bomb`), { ...limits, maxBodyBytes: 10 * 1024 * 1024 })
        expect(result).toEqual({ error: "BodyTooLarge", message: "decoded body is larger than the 10MiB limit" })
        // Holding the decoded gigabyte would take a gigabyte.
        expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024)
        expect(written.get("bomb")).toBeGreaterThan(0)
        const small = yield* same(decoded(`${url}/small-bomb`), { ...limits, maxBodyBytes: 1024 * 1024 })
        expect(small).toEqual({ error: "BodyTooLarge", message: "decoded body is larger than the 1MiB limit" })
      }))

    it.scoped("an answer without a body (HEAD) is empty, whatever its Content-Encoding", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const head = yield* same({ ...decoded(`${url}/gzip`), method: "HEAD" })
        expect(head).toEqual({ status: 200, url: `${url}/gzip`, text: "" })
      }))

    it.scoped("a body that does not decode is a DecodeError; so is a coding volley does not know", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        for (const name of ["corrupt", "truncated"]) {
          const result = yield* same(decoded(`${url}/${name}`))
          expect(result).toMatchObject({ error: "DecodeError" })
          expect((result as { message: string }).message).toMatch(/^body is not valid gzip: /)
        }
        expect(yield* same(decoded(`${url}/unknown`))).toEqual({
          error: "DecodeError",
          message: "unsupported content-encoding 'compress'"
        })
      }))

    it.scoped("without decode (the request set its own Accept-Encoding), the body is kept as sent", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const result = yield* same(hop(`${url}/gzip`, { headers: { "accept-encoding": "gzip" } }))
        // The gzip bytes are not text: they come back as they were, in base64.
        expect(result).toMatchObject({ status: 200, bodyEncoding: "base64" })
        expect(zlib.gunzipSync(Buffer.from((result as { text: string }).text, "base64")).toString()).toBe(sample)
      }))
  })

  describe("agree on charsets and binary bodies", () => {
    const cases: ReadonlyArray<readonly [string, { readonly text: string; readonly bodyEncoding?: "base64" }]> = [
      ["latin1", { text: "café" }],
      ["shift-jis", { text: "日本" }],
      ["utf16-bom", { text: "héllo" }],
      ["utf8-bom", { text: "{\"a\":1}" }],
      ["png", { text: "iVBORw0KGgoAAAANSUhEUg==", bodyEncoding: "base64" }],
      ["octets", { text: Buffer.from("plain ascii bytes").toString("base64"), bodyEncoding: "base64" }],
      ["bad-utf8", { text: "Y2Fm6Q==", bodyEncoding: "base64" }],
      ["no-type-binary", { text: "AP/+gIE=", bodyEncoding: "base64" }]
    ]
    it.scoped("text is decoded by its charset (a BOM wins); what is not text is base64", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        for (const [name, body] of cases) {
          expect(yield* same(hop(`${url}/${name}`))).toEqual({ status: 200, url: `${url}/${name}`, ...body })
        }
        const gz = yield* same(hop(`${url}/gzip-latin1`, { decode: true }))
        expect(gz).toMatchObject({ text: "déjà vu" })
      }))
  })

  for (
    const [name, around] of [
      ["with its own interruption hook", <A, E, R>(self: Effect.Effect<A, E, R>) => self],
      ["inside a worker's in-flight registry", withInFlight]
    ] as const
  ) {
    it.scoped(`an interrupted send is aborted (${name}): its connection is closed, not left running`, () =>
      Effect.gen(function*() {
        const { url } = yield* startDemoServer()
        const agent = (yield* NodeHttpClient.Dispatcher) as unknown as Undici.Agent
        const { fast } = yield* transports
        const running = Effect.sync(() => agent.stats[url]?.running ?? 0)
        const fiber = yield* Effect.fork(
          around(
            Effect.flatMap(
              FiberRef.get(currentInFlight),
              (inFlight) => fast.send(hop(`${url}/json/1?delay=10000`), limits, inFlight)
            )
          )
        )
        // Polls undici's own count: the request is on a socket, then gone once aborted.
        yield* Effect.repeat(running, { until: (n) => n === 1, schedule: Schedule.spaced(5) })
        expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
        yield* Effect.repeat(running, { until: (n) => n === 0, schedule: Schedule.spaced(5) })
        expect(agent.stats[url]?.connected ?? 0).toBe(0)
      }))
  }
})
