import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { DecodeError, StatusError, TimeoutError, TransportError } from "../../src/domain/FetchError.js"
import { isRetryable, parseRetryAfter, retrySchedule } from "../../src/http/RetryPolicy.js"

const status = (code: number, retryAfterMs?: number) =>
  new StatusError({
    url: "http://t/",
    status: code,
    message: `HTTP ${code}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs })
  })

describe("RetryPolicy", () => {
  it("retries transport errors, time-outs and 408/429/500/502/503/504 only", () => {
    const retryable = isRetryable({ retries: 3, backoff: "200 millis", maxBackoff: "30 seconds" })
    expect(retryable(new TransportError({ url: "u", message: "ECONNRESET" }))).toBe(true)
    expect(retryable(new TimeoutError({ url: "u", timeoutMs: 10, message: "t" }))).toBe(true)
    for (const code of [408, 429, 500, 502, 503, 504]) expect(retryable(status(code))).toBe(true)
    for (const code of [400, 401, 403, 404, 409, 422, 501]) expect(retryable(status(code))).toBe(false)
    expect(retryable(new DecodeError({ url: "u", message: "not json" }))).toBe(false)
  })

  it("gives up when Retry-After asks for more than the longest backoff", () => {
    const retryable = isRetryable({ retries: 3, backoff: "200 millis", maxBackoff: "30 seconds" })
    expect(retryable(status(429, 5_000))).toBe(true)
    expect(retryable(status(429, 3_600_000))).toBe(false)
  })

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-24T12:00:00Z")
    expect(parseRetryAfter("7", now)).toEqual(Option.some(7000))
    expect(parseRetryAfter("Tue, 24 Nov 2026 12:00:30 GMT", now)).toEqual(Option.some(30_000))
    expect(parseRetryAfter("Tue, 24 Nov 2026 11:00:00 GMT", now)).toEqual(Option.some(0))
    expect(parseRetryAfter("soon", now)).toEqual(Option.none())
    expect(parseRetryAfter(undefined, now)).toEqual(Option.none())
  })

  it.effect("waits backoff·2^n with ±20% jitter, capped, for at most `retries` times", () =>
    Effect.gen(function*() {
      const schedule = retrySchedule({ retries: 5, backoff: "100 millis", maxBackoff: "500 millis" })
      const error = status(503)
      const start = yield* TestClock.currentTimeMillis
      let attempts = 0
      const times: Array<number> = []
      const fiber = yield* Effect.fork(
        Effect.suspend(() => {
          attempts++
          return TestClock.currentTimeMillis.pipe(
            Effect.tap((t) => times.push(t - start)),
            Effect.zipRight(Effect.fail(error))
          )
        }).pipe(Effect.retry(schedule), Effect.flip)
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(attempts).toBe(6)
      const waits = times.slice(1).map((t, i) => Math.round(t - times[i]!))
      const nominal = [100, 200, 400, 800, 1600]
      waits.forEach((wait, i) => {
        expect(wait).toBeGreaterThanOrEqual(Math.min(500, nominal[i]! * 0.8))
        expect(wait).toBeLessThanOrEqual(Math.min(500, nominal[i]! * 1.2))
      })
      // The last two are at the cap.
      expect(waits.slice(3)).toEqual([500, 500])
    }))

  it.effect("never retries sooner than Retry-After", () =>
    Effect.gen(function*() {
      const schedule = retrySchedule({ retries: 2, backoff: "100 millis", maxBackoff: "30 seconds" })
      const times: Array<number> = []
      const fiber = yield* Effect.fork(
        TestClock.currentTimeMillis.pipe(
          Effect.tap((t) => times.push(t)),
          Effect.zipRight(Effect.fail(status(429, 3000))),
          Effect.retry(schedule),
          Effect.flip
        )
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(times).toEqual([0, 3000, 6000])
    }))

  it.effect("does not retry a 404", () =>
    Effect.gen(function*() {
      let attempts = 0
      const error = yield* Effect.suspend(() => {
        attempts++
        return Effect.fail(status(404))
      }).pipe(Effect.retry(retrySchedule({ retries: 3, backoff: "1 millis", maxBackoff: "1 second" })), Effect.flip)
      expect(error.status).toBe(404)
      expect(attempts).toBe(1)
    }))
})
