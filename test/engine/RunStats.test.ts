import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fetchAll } from "../../src/engine/Runner.js"
import { makeRunStats } from "../../src/engine/RunStats.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"
import { runAll, withClient } from "../support/FetcherRuns.js"

// Two seconds between attempts (before jitter): far longer than any attempt takes.
const slowRetries = makeFetchOptions({ retry: { retries: 2, backoff: "2 seconds", maxBackoff: "10 seconds" } })

describe("RunStats", () => {
  it.effect("latency percentiles are per attempt: backoff waits are not latency", () =>
    Effect.gen(function*() {
      const records = yield* runAll(fetchAll(["http://api.test/flaky", "http://api.test/down"], {
        fetch: slowRetries
      }))
      const [flaky, down] = records
      // The record's ms is the whole story, waits included…
      expect(flaky).toMatchObject({ ok: true, attempts: 2 })
      expect(flaky!.ms).toBeGreaterThanOrEqual(1000)
      expect(down).toMatchObject({ ok: false, attempts: 3 })
      expect(down!.ms).toBeGreaterThanOrEqual(2000)
      const stats = makeRunStats(0)
      for (const record of records) stats.add(record)
      const summary = stats.summary(10_000)
      // …the summary's latency is each attempt's: 2 + 3 attempts of 40-60 ms each.
      expect(summary.attempts).toBe(5)
      expect(summary.maxMs).toBeGreaterThanOrEqual(55)
      expect(summary.maxMs).toBeLessThan(100)
      expect(summary.p50Ms).toBeGreaterThanOrEqual(35)
      expect(summary.p50Ms).toBeLessThan(100)
    }).pipe(withClient(TestHttpClient.layer({
      "http://api.test/flaky": [{ status: 503, delay: "40 millis" }, { json: { ok: 1 }, delay: "60 millis" }],
      "http://api.test/down": [
        { status: 503, delay: "50 millis" },
        { status: 503, delay: "50 millis" },
        { status: 503, delay: "50 millis" }
      ]
    }))))

  it.effect("a request answered first time counts its ms once", () =>
    Effect.gen(function*() {
      const records = yield* runAll(fetchAll(["http://api.test/a"], { fetch: slowRetries }))
      const stats = makeRunStats(0)
      stats.add(records[0]!)
      const summary = stats.summary(1000)
      expect(summary).toMatchObject({ total: 1, ok: 1, attempts: 1 })
      expect(summary.maxMs).toBeGreaterThanOrEqual(records[0]!.ms * 0.9)
      expect(summary.maxMs).toBeLessThanOrEqual(records[0]!.ms * 1.1)
    }).pipe(withClient(TestHttpClient.layer({ "http://api.test/a": { json: 1, delay: "80 millis" } }))))
})
