/**
 * `--rate`: rate text, the two windows, and the gate under TestClock — no one-second window
 * over the rate, no less than the rate when there is work, retries counted.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Fiber, Layer, TestClock } from "effect"
import { parseRate } from "../../src/domain/RateText.js"
import { fetchAll } from "../../src/engine/Runner.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeRateGate, windowsOf } from "../../src/http/RateGate.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

/** Most starts within any window of `windowMs` beginning at a start. */
const maxInWindow = (starts: ReadonlyArray<number>, windowMs: number) => {
  const sorted = [...starts].sort((a, b) => a - b)
  let most = 0
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++
    most = Math.max(most, j - i)
  }
  return most
}

/** Runs `urls` through a rate gate over a fake client; returns the time of every attempt. */
const rated = (rate: string, urls: number, respond: (attempt: number) => TestHttpClient.TestResponse) =>
  Effect.gen(function*() {
    const starts: Array<number> = []
    const fake = TestHttpClient.makeWithTraffic(({ attempt }) =>
      Effect.map(TestClock.currentTimeMillis, (at) => {
        starts.push(at)
        return respond(attempt)
      })
    )
    const gate = yield* makeRateGate(Either.getOrThrow(parseRate(rate)))
    const fiber = yield* Effect.fork(
      fetchAll(Array.from({ length: urls }, (_, i) => `http://api.test/${i}`), {
        concurrency: 50,
        fetch: { gate, retry: { retries: 2, backoff: "1 millis", maxBackoff: "1 millis" } }
      }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
    )
    yield* TestClock.adjust("10 minutes")
    return { records: yield* Fiber.join(fiber), starts }
  })

describe("parseRate", () => {
  it("reads N, N/s, N/m and fractions", () => {
    const read = (text: string) => Either.map(parseRate(text), (r) => [r.limit, Duration.toMillis(r.interval)] as const)
    expect(read("20")).toEqual(Either.right([20, 1000]))
    expect(read("20/s")).toEqual(Either.right([20, 1000]))
    expect(read("120/m")).toEqual(Either.right([120, 60_000]))
    expect(read("100/min")).toEqual(Either.right([100, 60_000]))
    expect(read("0.5/s")).toEqual(Either.right([1, 2000]))
    expect(Either.isLeft(parseRate("0"))).toBe(true)
    expect(Either.isLeft(parseRate("fast"))).toBe(true)
    expect(Either.isLeft(parseRate("5/d"))).toBe(true)
  })

  it("holds a rate with the whole interval (plus a margin for arrival jitter) and a tenth of it", () => {
    const of = (limit: number, seconds: number) =>
      windowsOf({ limit, interval: Duration.seconds(seconds) }).map((w) => [w.limit, w.spanMs])
    expect(of(20, 1)).toEqual([[20, 1050], [2, 100]])
    expect(of(25, 1)).toEqual([[25, 1050], [3, 100]])
    expect(of(5, 1)).toEqual([[5, 1050], [1, 200]])
    expect(of(120, 60)).toEqual([[120, 60_050], [12, 6000]])
    // A fast rate keeps a margin of a twentieth of its interval.
    expect(of(10, 0.2)).toEqual([[10, 210], [1, 20]])
  })
})

describe("RateGate", () => {
  it.effect("no one-second window holds more than the rate, and the run keeps up with it", () =>
    Effect.gen(function*() {
      const { records, starts } = yield* rated("20/s", 100, () => ({ json: 1 }))
      expect(records.every((r) => r.ok)).toBe(true)
      expect(starts).toHaveLength(100)
      expect(maxInWindow(starts, 1000)).toBe(20)
      expect(maxInWindow(starts, 100)).toBeLessThanOrEqual(2)
      // 100 requests at 20/s take about 5 s: the limit (and its 5% margin) does not slow the
      // run much below the rate.
      expect(Math.max(...starts)).toBeLessThan(5300)
    }))

  it.effect("retries take tokens too", () =>
    Effect.gen(function*() {
      // Every URL fails once with a 503, then succeeds: 40 attempts for 20 URLs.
      const { records, starts } = yield* rated("10/s", 20, (attempt) => attempt === 1 ? { status: 503 } : { json: 1 })
      expect(records.every((r) => r.ok && r.attempts === 2)).toBe(true)
      expect(starts).toHaveLength(40)
      expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(10)
      expect(Math.max(...starts)).toBeGreaterThanOrEqual(3000)
    }))

  it.effect("a per-minute rate spreads requests over the minute", () =>
    Effect.gen(function*() {
      const { starts } = yield* rated("30/m", 30, () => ({ json: 1 }))
      expect(maxInWindow(starts, 6000)).toBeLessThanOrEqual(3)
      expect(maxInWindow(starts, 60_000)).toBe(30)
    }))
})
