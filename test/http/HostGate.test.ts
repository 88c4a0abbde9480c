import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, TestClock } from "effect"
import { fetchAll } from "../../src/engine/Runner.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import { composeGates, makeHostGate, pauseAskedFor } from "../../src/http/HostGate.js"
import { makeRateGate } from "../../src/http/RateGate.js"
import { openGate } from "../../src/http/RequestGate.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

const answer = (status: number, headers: Record<string, string>) => ({ status, headers, text: "", url: "http://h/" })

describe("HostGate", () => {
  it("reads pauses from Retry-After and RateLimit headers", () => {
    const now = 1_700_000_000_000
    expect(pauseAskedFor(answer(429, { "retry-after": "3" }), now)).toBe(3000)
    expect(pauseAskedFor(answer(503, { "retry-after": "2" }), now)).toBe(2000)
    expect(pauseAskedFor(answer(200, { "ratelimit-remaining": "0", "ratelimit-reset": "4" }), now)).toBe(4000)
    expect(
      pauseAskedFor(answer(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 5) }), now)
    )
      .toBe(5000)
    expect(pauseAskedFor(answer(200, { "ratelimit-remaining": "3", "ratelimit-reset": "4" }), now)).toBe(0)
    expect(pauseAskedFor(answer(500, { "retry-after": "3" }), now)).toBe(0)
  })

  it.effect("a 429 with Retry-After pauses the whole host: no request reaches it until the pause ends", () =>
    Effect.gen(function*() {
      const times: Array<{ path: string; at: number }> = []
      const fake = TestHttpClient.makeWithTraffic(({ url }) =>
        Effect.map(TestClock.currentTimeMillis, (at) => {
          times.push({ path: url.pathname, at })
          // /0 is refused once with a 5 s pause; the others are slow enough to queue behind it.
          const first = times.filter((t) => t.path === url.pathname).length === 1
          return url.pathname === "/0" && first
            ? { status: 429, headers: { "retry-after": "5" }, text: "slow down" }
            : { json: 1, delay: "100 millis" }
        })
      )
      const fiber = yield* Effect.fork(
        fetchAll(Array.from({ length: 6 }, (_, i) => `http://api.test/${i}`), {
          concurrency: 1,
          fetch: {
            gate: makeHostGate({ perHost: undefined }),
            retry: { retries: 2, backoff: "10 millis", maxBackoff: "30 seconds" }
          }
        }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      )
      yield* TestClock.adjust("1 minute")
      const records = yield* Fiber.join(fiber)
      expect(records.every((r) => r.ok)).toBe(true)
      // After the 429 at t=0, the next request to the host is sent at t=5000, not before.
      expect(times.slice(1).every((t) => t.at >= 5000)).toBe(true)
    }))

  it.effect("--per-host caps requests in flight to one host", () =>
    Effect.gen(function*() {
      const fake = TestHttpClient.makeWithTraffic(() => ({ json: 1, delay: "50 millis" }))
      const fiber = yield* Effect.fork(
        fetchAll(Array.from({ length: 20 }, (_, i) => `http://api.test/${i}`), {
          concurrency: 10,
          fetch: { gate: makeHostGate({ perHost: 3 }) }
        }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      )
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).length).toBe(20)
      expect(fake.traffic().maxInFlight).toBe(3)
    }))

  it.scoped("--rate holds requests per second, retries included", () =>
    Effect.gen(function*() {
      const starts: Array<number> = []
      const fake = TestHttpClient.makeWithTraffic(() =>
        Effect.map(TestClock.currentTimeMillis, (at) => {
          starts.push(at)
          return { json: 1 }
        })
      )
      const gate = composeGates(
        makeHostGate({ perHost: undefined }),
        yield* makeRateGate({ limit: 5, interval: Duration.seconds(1) })
      )
      const fiber = yield* Effect.fork(
        fetchAll(Array.from({ length: 20 }, (_, i) => `http://api.test/${i}`), {
          concurrency: 20,
          fetch: makeFetchOptions({ gate })
        }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      const perSecond = new Map<number, number>()
      for (const t of starts) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1)
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(5)
      expect(starts.length).toBe(20)
      expect(Math.max(...starts)).toBeLessThan(4000)
    }))

  describe("immediate (the callback lane's gate check)", () => {
    const t0 = 1_700_000_000_000

    it("lets a fresh host through at once; a learner that sees a 429 pauses it until Retry-After", () => {
      const gate = makeHostGate({ perHost: undefined })
      const learn = gate.immediate!("api.test", t0)
      expect(learn).toBeDefined()
      learn!(answer(200, {}), t0)
      expect(gate.immediate!("api.test", t0 + 1)).toBeDefined()
      learn!(answer(429, { "retry-after": "2" }), t0 + 1)
      expect(gate.immediate!("api.test", t0 + 1000)).toBeUndefined()
      // Another host is not paused.
      expect(gate.immediate!("other.test", t0 + 1000)).toBeDefined()
      // Once the pause is over, the host is back on the lane.
      expect(gate.immediate!("api.test", t0 + 2001)).toBeDefined()
      expect(gate.immediate!("api.test", t0 + 2002)).toBeDefined()
    })

    it("never lets an attempt through at once when --per-host holds a permit per attempt", () => {
      expect(makeHostGate({ perHost: 2 }).immediate!("api.test", t0)).toBeUndefined()
    })

    it("composed gates: at once only if every gate says so, and every gate learns", () => {
      const a = makeHostGate({ perHost: undefined })
      const b = makeHostGate({ perHost: undefined })
      const both = composeGates(a, b)
      const learn = both.immediate!("api.test", t0)
      expect(learn).toBeDefined()
      learn!(answer(503, { "retry-after": "1" }), t0)
      expect(a.immediate!("api.test", t0 + 10)).toBeUndefined()
      expect(b.immediate!("api.test", t0 + 10)).toBeUndefined()
      expect(both.immediate!("api.test", t0 + 10)).toBeUndefined()
      expect(composeGates(a, makeHostGate({ perHost: 1 })).immediate!("x.test", t0)).toBeUndefined()
      expect(composeGates(a, openGate).immediate!("x.test", t0)).toBeDefined()
    })

    it.effect("a gate without immediate (the rate gate) makes the composition go through around", () =>
      Effect.gen(function*() {
        const rate = yield* makeRateGate({ limit: 5, interval: Duration.seconds(1) })
        expect(rate.immediate).toBeUndefined()
        expect(composeGates(makeHostGate({ perHost: undefined }), rate).immediate).toBeUndefined()
      }))
  })
})
