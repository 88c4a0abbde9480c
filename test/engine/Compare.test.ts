import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { compareModes, TransportFactory } from "../../src/engine/Compare.js"
import { compareJson, compareText } from "../../src/report/CompareReport.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

// Every answer takes 100 ms of test-clock time; /7 fails.
const slowApi = Layer.succeed(
  TransportFactory,
  TestHttpClient.layer(({ url }) =>
    url.pathname === "/7" ? { status: 500, delay: "100 millis" } : { json: 1, delay: "100 millis" }
  )
)

const urls = Array.from({ length: 20 }, (_, i) => `http://api.test/${i}`)

describe("compare", () => {
  it.effect("times sequential, concurrent and batched runs of the same list", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        compareModes(urls, {
          concurrency: 10,
          batchSize: 5,
          fetch: { retry: { retries: 0, backoff: "1 millis", maxBackoff: "1 millis" } }
        })
      )
      yield* TestClock.adjust("1 hour")
      const result = yield* Fiber.join(fiber)
      const [sequential, concurrent, batched] = result.modes
      expect(sequential).toMatchObject({ mode: "sequential", ms: 2000, ok: 19, failed: 1 })
      expect(concurrent).toMatchObject({ mode: "concurrent", ms: 200, ok: 19, failed: 1 })
      expect(batched).toMatchObject({ mode: "batched", ms: 400, ok: 19, failed: 1 })
      expect(result.speedup).toBe(10)
      expect(compareJson(result)).toEqual({
        sequential: { ms: 2000, ok: 19, failed: 1 },
        concurrent: { ms: 200, ok: 19, failed: 1 },
        batched: { ms: 400, ok: 19, failed: 1 },
        speedup: 10
      })
    }).pipe(Effect.provide(slowApi)))

  it.effect("the text report has a row per URL with bars, and the totals with speed-ups, in 80 columns", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        compareModes(urls.slice(0, 4), { concurrency: 4, batchSize: undefined, fetch: {} })
      )
      yield* TestClock.adjust("1 hour")
      const text = compareText(yield* Fiber.join(fiber))
      const lines = text.trimEnd().split("\n")
      expect(lines.every((line) => line.length <= 80)).toBe(true)
      expect(lines[1]).toMatch(/^\/0 +100 ms █+ +100 ms █+$/)
      expect(text).toContain("sequential")
      expect(text).toMatch(/concurrent \(4\) +100 ms +4 +0 +4\.0×/)
    }).pipe(Effect.provide(slowApi)))
})
