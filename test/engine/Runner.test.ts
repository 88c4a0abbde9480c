import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream, TestClock } from "effect"
import { inputRequests } from "../../src/engine/Input.js"
import { defaultRunOptions, fetchAll, runStream } from "../../src/engine/Runner.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"
import { runAll, withClient } from "../support/FetcherRuns.js"

/** Answers /n after a delay that shrinks with n, so later URLs finish first. */
const reversedDelays = TestHttpClient.makeWithTraffic(({ url }) => {
  const n = Number(url.pathname.slice(1))
  return n === 13 ? { status: 404 } : { json: { n }, delay: `${(40 - n) * 10} millis` }
})

describe("Runner", () => {
  it.effect("keeps input order, holds the concurrency, and isolates failures", () =>
    Effect.gen(function*() {
      const urls = Array.from({ length: 30 }, (_, i) => `http://api.test/${i}`)
      const records = yield* runAll(fetchAll(urls, { concurrency: 7 }))
      expect(records.map((r) => r.index)).toEqual(urls.map((_, i) => i))
      expect(records.map((r) => r.url)).toEqual(urls)
      expect(records.filter((r) => !r.ok).map((r) => r.index)).toEqual([13])
      expect(reversedDelays.traffic().maxInFlight).toBe(7)
    }).pipe(withClient(reversedDelays.layer)))

  it.effect("fail-fast stops at the first failure and emits it last", () =>
    Effect.gen(function*() {
      const fake = TestHttpClient.makeWithTraffic(({ url }) =>
        url.pathname === "/3" ? { status: 400 } : { json: 1, delay: "10 millis" }
      )
      const records = yield* runAll(
        Stream.runCollect(runStream(inputRequests(["http://api.test/{0..99}"], undefined), {
          ...defaultRunOptions,
          concurrency: 2,
          failFast: true,
          fetch: makeFetchOptions()
        })).pipe(Effect.map(Chunk.toArray), withClient(fake.layer))
      )
      expect(records.at(-1)).toMatchObject({ index: 3, ok: false })
      expect(records.slice(0, -1).every((r) => r.ok)).toBe(true)
      expect(fake.traffic().requests.length).toBeLessThan(10)
    }))

  it.effect("batch mode starts a batch only when the previous one is done", () =>
    Effect.gen(function*() {
      const starts: Array<{ n: number; at: number }> = []
      const fake = TestHttpClient.makeWithTraffic(({ url }) =>
        Effect.map(TestClock.currentTimeMillis, (at) => {
          const n = Number(url.pathname.slice(1))
          starts.push({ n, at })
          // The first of each batch is slow: the whole next batch must wait for it.
          return { json: n, delay: n % 4 === 0 ? "1 second" : "10 millis" }
        })
      )
      const records = yield* runAll(
        fetchAll(Array.from({ length: 12 }, (_, i) => `http://api.test/${i}`), { concurrency: 10, batchSize: 4 }).pipe(
          withClient(fake.layer)
        )
      )
      expect(records.map((r) => r.index)).toEqual([...Array(12).keys()])
      const startOf = (n: number) => starts.find((s) => s.n === n)!.at
      expect([0, 1, 2, 3].map(startOf)).toEqual([0, 0, 0, 0])
      expect([4, 5, 6, 7].map(startOf)).toEqual([1000, 1000, 1000, 1000])
      expect([8, 9, 10, 11].map(startOf)).toEqual([2000, 2000, 2000, 2000])
      expect(fake.traffic().maxInFlight).toBe(4)
    }))
})
