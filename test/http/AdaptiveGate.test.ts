import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { fetchAll } from "../../src/engine/Runner.js"
import { makeAdaptiveGate } from "../../src/http/AdaptiveGate.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

/** A server that refuses (429) whatever arrives while more than 3 requests are in flight. */
const crowded = () => {
  let inFlight = 0
  let refused = 0
  const fake = TestHttpClient.makeWithTraffic(() =>
    Effect.suspend(() => {
      inFlight++
      const answer = inFlight > 3 ? (refused++, { status: 429, text: "busy" }) : { json: 1 }
      return Effect.as(Effect.sleep("100 millis"), answer).pipe(Effect.ensuring(Effect.sync(() => inFlight--)))
    })
  )
  return { fake, refused: () => refused }
}

const run = (gate: ReturnType<typeof makeAdaptiveGate> | undefined, fake: ReturnType<typeof crowded>["fake"]) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(
      fetchAll(Array.from({ length: 120 }, (_, i) => `http://api.test/${i}`), {
        concurrency: 12,
        fetch: { retry: { retries: 0, backoff: "1 millis", maxBackoff: "1 millis" }, ...(gate ? { gate } : {}) }
      }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
    )
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  })

describe("AdaptiveGate", () => {
  it.effect("halves concurrency when the server refuses, so far fewer requests are refused", () =>
    Effect.gen(function*() {
      const fixed = crowded()
      yield* run(undefined, fixed.fake)
      const adaptive = crowded()
      const gate = makeAdaptiveGate(12)
      const records = yield* run(gate, adaptive.fake)
      expect(records).toHaveLength(120)
      expect(fixed.refused()).toBeGreaterThan(60)
      expect(adaptive.refused()).toBeLessThan(fixed.refused() / 2)
      expect(gate.limit()).toBeLessThanOrEqual(6)
    }))

  it.effect("one burst of refusals counts once", () =>
    Effect.gen(function*() {
      const gate = makeAdaptiveGate(8)
      // The first request goes alone (slow start); the burst comes after it.
      yield* gate.around("h", Effect.succeed({ status: 200, headers: {}, text: "", url: "u" }))
      const refused = gate.around(
        "h",
        Effect.as(Effect.sleep("10 millis"), { status: 429, headers: {}, text: "", url: "u" })
      )
      const fiber = yield* Effect.fork(Effect.all([refused, refused, refused], { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(gate.limit()).toBe(4)
    }))

  it.effect("slow start: until the first answer is back, no other request leaves", () =>
    Effect.gen(function*() {
      const gate = makeAdaptiveGate(8)
      const started: Array<number> = []
      const attempt = (n: number) =>
        gate.around(
          "h",
          Effect.sync(() => started.push(n)).pipe(
            Effect.zipRight(Effect.sleep("100 millis")),
            Effect.as({ status: 200, headers: {}, text: "", url: "u" })
          )
        )
      const fiber = yield* Effect.fork(Effect.all([0, 1, 2, 3].map(attempt), { concurrency: "unbounded" }))
      yield* TestClock.adjust("50 millis")
      expect(started).toEqual([0])
      yield* TestClock.adjust("60 millis")
      expect(started).toEqual([0, 1, 2, 3])
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
    }))

  it.effect("grows back by one per round of successes, never above the maximum", () =>
    Effect.gen(function*() {
      const gate = makeAdaptiveGate(8)
      const answer = (status: number) => gate.around("h", Effect.succeed({ status, headers: {}, text: "", url: "u" }))
      yield* answer(503)
      expect(gate.limit()).toBe(4)
      yield* Effect.forEach(Array.from({ length: 5 }), () => answer(200))
      expect(gate.limit()).toBe(5)
      yield* Effect.forEach(Array.from({ length: 200 }), () => answer(200))
      expect(gate.limit()).toBe(8)
    }))
})
