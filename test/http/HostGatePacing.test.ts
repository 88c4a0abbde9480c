/**
 * Pacing to an announced budget, and bounded waits — deterministic: a fake server on the
 * TestClock that keeps the demo API's `/limited` rule (a sliding one-second window).
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, TestClock } from "effect"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import { fetchAll } from "../../src/engine/Runner.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeHostGate, readAnnouncement } from "../../src/http/HostGate.js"
import { makePoliteGate } from "../../src/http/PoliteGate.js"
import type { RequestGate } from "../../src/http/RequestGate.js"
import { defaultRetryOptions } from "../../src/http/RetryPolicy.js"
import type { Transport } from "../../src/http/Transport.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

/** The demo API's `/limited/:key?rate=R`: R answers per sliding second, then 429 + Retry-After. */
const limitedServer = (rate: number) => {
  const recent: Array<number> = []
  let attempts = 0
  const fake = TestHttpClient.makeWithTraffic(() =>
    Effect.map(TestClock.currentTimeMillis, (now): TestHttpClient.TestResponse => {
      attempts++
      while (recent.length > 0 && now - recent[0]! >= 1000) recent.shift()
      const headers = (remaining: number, resetS: number) => ({
        "ratelimit-limit": String(rate),
        "ratelimit-remaining": String(remaining),
        "ratelimit-reset": String(resetS)
      })
      if (recent.length >= rate) {
        const waitS = Math.max(1, Math.ceil((recent[0]! + 1000 - now) / 1000))
        return { status: 429, headers: { "retry-after": String(waitS), ...headers(0, waitS) }, text: "Slow down!" }
      }
      recent.push(now)
      return { json: { n: recent.length }, headers: headers(rate - recent.length, 1), delay: "5 millis" }
    })
  )
  return { layer: fake.layer, attempts: () => attempts }
}

const run = (
  urls: ReadonlyArray<string>,
  gate: RequestGate,
  layer: Layer.Layer<Transport>,
  concurrency = 32
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(
      fetchAll(urls, { concurrency, fetch: { gate, retry: defaultRetryOptions } }).pipe(
        Effect.provide(Fetcher.Default.pipe(Layer.provide(layer)))
      )
    )
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  })

const limitedUrls = Array.from({ length: 100 }, (_, i) => `http://api.test/limited/x1?rate=20&n=${i + 1}`)
const failedOf = (records: ReadonlyArray<FetchRecord>) => records.filter((r) => !r.ok)
const attemptsOf = (records: ReadonlyArray<FetchRecord>) => records.reduce((n, r) => n + r.attempts, 0)

describe("HostGate pacing", () => {
  it.scoped("/limited at rate 20, -c 32, default settings: 0 failed, at most 1.2 attempts per record", () =>
    Effect.gen(function*() {
      const server = limitedServer(20)
      const records = yield* run(
        limitedUrls,
        yield* makePoliteGate({ rate: undefined, perHost: undefined }),
        server.layer
      )
      expect(records).toHaveLength(100)
      expect(failedOf(records)).toEqual([])
      expect(server.attempts()).toBe(attemptsOf(records))
      expect(attemptsOf(records)).toBeLessThanOrEqual(120)
    }))

  it.scoped("--adaptive loses no record the plain mode keeps, and takes fewer attempts", () =>
    Effect.gen(function*() {
      const plain = yield* run(
        limitedUrls,
        yield* makePoliteGate({ rate: undefined, perHost: undefined }),
        limitedServer(20).layer
      )
      const server = limitedServer(20)
      const gate = yield* makePoliteGate({ rate: undefined, perHost: undefined, adaptive: 32 })
      const adaptive = yield* run(limitedUrls, gate, server.layer)
      expect(failedOf(adaptive)).toEqual([])
      expect(failedOf(plain)).toEqual([])
      // Slow start: the first answer announces the budget before the burst leaves.
      expect(attemptsOf(adaptive)).toBeLessThan(attemptsOf(plain))
      expect(attemptsOf(adaptive)).toBe(100)
    }))

  it.scoped("--per-host with a budget: paced as well", () =>
    Effect.gen(function*() {
      const server = limitedServer(10)
      const gate = yield* makePoliteGate({ rate: undefined, perHost: 4 })
      const records = yield* run(limitedUrls.slice(0, 40), gate, server.layer)
      expect(failedOf(records)).toEqual([])
      expect(attemptsOf(records)).toBeLessThanOrEqual(48)
    }))

  it.effect("RateLimit-Remaining: 0 with RateLimit-Reset: 99999999 fails the waiting records at once, saying so", () =>
    Effect.gen(function*() {
      const fake = TestHttpClient.makeWithTraffic(({ url }) =>
        url.pathname === "/0"
          ? { json: { first: true }, headers: { "ratelimit-remaining": "0", "ratelimit-reset": "99999999" } }
          : { json: {}, delay: "10 millis" }
      )
      const urls = Array.from({ length: 5 }, (_, i) => `http://api.test/${i}`)
      const fiber = yield* Effect.fork(
        fetchAll(urls, {
          concurrency: 1,
          fetch: { gate: makeHostGate({ perHost: undefined, maxPause: "30 seconds" }) }
        })
          .pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      )
      // No host waits longer than --max-backoff: the run is over within it.
      yield* TestClock.adjust("30 seconds")
      const records = yield* Fiber.join(fiber)
      expect(records[0]).toMatchObject({ ok: true })
      for (const record of records.slice(1)) {
        expect(record).toMatchObject({
          ok: false,
          attempts: 0,
          error: {
            _tag: "RateLimited",
            message:
              "the server asked to wait 1157 days (ratelimit-remaining: 0, ratelimit-reset: 99999999); --max-backoff is 30 s"
          }
        })
      }
      expect(fake.traffic().requests).toHaveLength(1)
    }))

  it.effect("503 with Retry-After: 86400: that record says what was asked, the host's others fail, nothing waits", () =>
    Effect.gen(function*() {
      const fake = TestHttpClient.makeWithTraffic(({ url }) =>
        url.pathname === "/0"
          ? { status: 503, headers: { "retry-after": "86400" }, text: "tomorrow" }
          : { json: {}, delay: "10 millis" }
      )
      const urls = [...Array.from({ length: 4 }, (_, i) => `http://api.test/${i}`), "http://other.test/1"]
      const fiber = yield* Effect.fork(
        fetchAll(urls, {
          concurrency: 1,
          fetch: { gate: makeHostGate({ perHost: undefined, maxPause: "30 seconds" }) }
        })
          .pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      )
      yield* TestClock.adjust("30 seconds")
      const records = yield* Fiber.join(fiber)
      expect(records[0]).toMatchObject({
        ok: false,
        status: 503,
        attempts: 1,
        error: {
          _tag: "StatusError",
          message:
            "HTTP 503 Service Unavailable (the server asked to wait 24 h (Retry-After: 86400); --max-backoff is 30 s)"
        }
      })
      expect(records.slice(1, 4).map((r) => r.ok ? "ok" : r.error.message)).toEqual(
        Array(3).fill("the server asked to wait 24 h (Retry-After: 86400); --max-backoff is 30 s")
      )
      // Another host is not touched.
      expect(records[4]).toMatchObject({ ok: true })
    }))

  it.effect("a pause within --max-backoff is waited out, not failed", () =>
    Effect.gen(function*() {
      const fake = TestHttpClient.makeWithTraffic(({ attempt, url }) =>
        url.pathname === "/0" && attempt === 1
          ? { status: 429, headers: { "retry-after": "20" }, text: "wait" }
          : { json: {} }
      )
      const fiber = yield* Effect.fork(
        fetchAll(["http://api.test/0", "http://api.test/1"], {
          concurrency: 1,
          fetch: { gate: makeHostGate({ perHost: undefined, maxPause: "30 seconds" }) }
        }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      )
      yield* TestClock.adjust(Duration.seconds(21))
      const records = yield* Fiber.join(fiber)
      expect(records.map((r) => [r.ok, r.attempts])).toEqual([[true, 2], [true, 1]])
    }))
})

describe("readAnnouncement: header values as the specs say", () => {
  const now = 1_800_000_000_000
  const answer = (status: number, headers: Record<string, string>) => ({ status, headers, text: "", url: "http://h/" })

  it("RateLimit-Reset is seconds from now; from 1e9 on, a Unix time (X-RateLimit-Reset, GitHub)", () => {
    expect(readAnnouncement(answer(200, { "ratelimit-remaining": "0", "ratelimit-reset": "30" }), now))
      .toMatchObject({ remaining: 0, resetMs: 30_000 })
    expect(
      readAnnouncement(
        answer(200, {
          "x-ratelimit-remaining": "5",
          "x-ratelimit-reset": String(now / 1000 + 60),
          "x-ratelimit-limit": "60"
        }),
        now
      )
    ).toMatchObject({ remaining: 5, resetMs: 60_000, limit: 60 })
    // A Unix time in the past: no wait.
    expect(readAnnouncement(answer(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000000000" }), now))
      .toMatchObject({ resetMs: 0 })
  })

  it("the later drafts' single RateLimit field: r and t (draft 08 on), remaining and reset (draft 07)", () => {
    expect(
      readAnnouncement(
        answer(200, { ratelimit: "\"default\";r=0;t=30", "ratelimit-policy": "\"default\";q=100;w=60" }),
        now
      )
    )
      .toMatchObject({ remaining: 0, resetMs: 30_000, limit: 100 })
    expect(readAnnouncement(answer(200, { ratelimit: "limit=10, remaining=3, reset=5" }), now))
      .toMatchObject({ remaining: 3, resetMs: 5000, limit: 10 })
    expect(readAnnouncement(answer(200, { ratelimit: "\"default\";r=2" }), now)).toEqual({})
  })

  it("negative, fractional-count and garbage values announce nothing", () => {
    for (const reset of ["-1", "soon", "", "1e9", "0x10"]) {
      expect(readAnnouncement(answer(200, { "ratelimit-remaining": "0", "ratelimit-reset": reset }), now)).toEqual({})
    }
    expect(readAnnouncement(answer(200, { "ratelimit-remaining": "1.5", "ratelimit-reset": "1" }), now)).toEqual({})
    for (const retryAfter of ["-5", "-5, soon", "1.5", "soon", "99999999999999999999x"]) {
      expect(readAnnouncement(answer(429, { "retry-after": retryAfter }), now)).toEqual({})
    }
    // Retry-After only counts on a 429 or 503.
    expect(readAnnouncement(answer(500, { "retry-after": "3" }), now)).toEqual({})
  })

  it("Retry-After as an HTTP date, in the past or the future", () => {
    expect(readAnnouncement(answer(503, { "retry-after": new Date(now + 5000).toUTCString() }), now))
      .toMatchObject({ retryAfterMs: 5000 })
    expect(readAnnouncement(answer(503, { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }), now))
      .toMatchObject({ retryAfterMs: 0 })
  })
})
