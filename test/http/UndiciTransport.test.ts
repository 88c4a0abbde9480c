/**
 * The fast undici transport and the generic one (over `HttpClient.execute`) against the demo API
 * on a loopback port: every scenario must end the same way on both.
 */
import { NodeHttpClient } from "@effect/platform-node"
import type * as Undici from "@effect/platform-node/Undici"
import { describe, expect, layer } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, FiberRef, Schedule } from "effect"
import { currentInFlight, withInFlight } from "../../src/engine/InFlight.js"
import { dispatcherLayer } from "../../src/http/HttpClientLive.js"
import type { Hop } from "../../src/http/Redirect.js"
import { httpClientTransport, type SendLimits, type Transport } from "../../src/http/Transport.js"
import { makeUndiciHttpClient } from "../../src/http/UndiciHttpClient.js"
import { makeUndiciTransport } from "../../src/http/UndiciTransport.js"
import { startDemoServer } from "../../src/server/DemoServer.js"

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
const outcome = (transport: Transport, target: Hop, sendLimits: SendLimits = limits) =>
  Effect.map(Effect.either(transport.send(target, sendLimits)), (result) =>
    result._tag === "Right"
      ? { status: result.right.status, url: result.right.url, text: result.right.text }
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

layer(dispatcherLayer(), { excludeTestServices: true })("transports", (it) => {
  describe("agree", () => {
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
