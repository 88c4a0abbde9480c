/**
 * How the runner fans out: a real pool (a slow answer holds back no start), batch mode (a batch
 * starts when the whole previous one is done, counted in the summary), and a stop that lets
 * what is in flight finish and be written.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import { runFetchJob } from "../../src/cli/FetchJob.js"
import { defaultRunOptions, fetchAll, runStream } from "../../src/engine/Runner.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"
import { makeCapture } from "../support/Capture.js"

/** /0 answers after 1 s, the others after 10 ms; records when each request started. */
const oneSlow = () => {
  const starts = new Map<number, number>()
  const fake = TestHttpClient.makeWithTraffic(({ url }) =>
    Effect.map(TestClock.currentTimeMillis, (at) => {
      const n = Number(url.pathname.slice(1))
      starts.set(n, at)
      return { json: n, delay: n === 0 ? "1 second" : "10 millis" }
    })
  )
  return { fake, starts }
}

const urls = (n: number) => Array.from({ length: n }, (_, i) => `http://api.test/${i}`)

const runAll = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 hour")
    return yield* Fiber.join(fiber)
  })

describe("Batching", () => {
  it.effect("without batches, a slow answer holds back no other start, and order is kept", () =>
    Effect.gen(function*() {
      const { fake, starts } = oneSlow()
      const records = yield* runAll(
        fetchAll(urls(12), { concurrency: 4 }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      )
      expect(records.map((r) => r.index)).toEqual([...Array(12).keys()])
      // Three slots keep turning while /0 takes a second.
      expect(starts.get(4)).toBe(10)
      expect(starts.get(11)).toBe(30)
      expect(fake.traffic().maxInFlight).toBe(4)
    }))

  it.effect("with --batch-size, the next batch waits for the slowest of the previous one", () =>
    Effect.gen(function*() {
      const { fake, starts } = oneSlow()
      const records = yield* runAll(
        fetchAll(urls(12), { concurrency: 4, batchSize: 6 }).pipe(
          Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer)))
        )
      )
      expect(records.map((r) => r.index)).toEqual([...Array(12).keys()])
      // Within a batch the concurrency still holds: 4, then 5 as soon as a slot frees.
      expect(starts.get(4)).toBe(10)
      expect(starts.get(6)).toBe(1000)
      expect(fake.traffic().maxInFlight).toBe(4)
    }))

  it.effect("the summary counts batches", () =>
    Effect.gen(function*() {
      const { fake } = oneSlow()
      const capture = makeCapture()
      const summary = yield* runAll(
        runFetchJob({
          inputs: Stream.fromIterable(urls(10).map((url, index) => ({ index, request: { url } }))),
          total: 10,
          run: { ...defaultRunOptions, concurrency: 4, batchSize: 4 },
          format: "ndjson",
          target: { _tag: "Stdout" },
          progress: false,
          summary: true
        }).pipe(
          Effect.provide(Layer.mergeAll(
            Fetcher.Default.pipe(Layer.provide(fake.layer)),
            capture.stdout,
            capture.stderr,
            NodeContext.layer
          ))
        )
      )
      expect(summary.batches).toBe(3)
      expect(capture.errors()).toContain("3 batches")
      expect(capture.output().trim().split("\n")).toHaveLength(10)
    }))

  for (const batchSize of [undefined, 5]) {
    it.effect(`a stop starts nothing new and emits what was in flight (batch size ${batchSize})`, () =>
      Effect.gen(function*() {
        const { fake } = oneSlow()
        let stop = false
        const inputs = Stream.fromIterable(urls(40).map((url, index) => ({ index, request: { url } })))
        const fiber = yield* Effect.fork(
          Stream.runCollect(
            runStream(
              inputs,
              { ...defaultRunOptions, concurrency: 4, batchSize, fetch: makeFetchOptions() },
              () => stop
            )
          ).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
        )
        yield* TestClock.adjust("25 millis")
        stop = true
        yield* TestClock.adjust("1 hour")
        const records = Chunk.toArray(yield* Fiber.join(fiber))
        const sent = fake.traffic().requests.length
        // Everything sent is written, in order, slow /0 included; nothing else was sent.
        expect(records.map((r) => r.index)).toEqual([...Array(sent).keys()])
        expect(records.every((r) => r.ok)).toBe(true)
        expect(sent).toBeGreaterThanOrEqual(4)
        expect(sent).toBeLessThan(40)
      }))
  }

  it.effect("fail-fast emits the records before the failure, then the failure, and stops", () =>
    Effect.gen(function*() {
      const fake = TestHttpClient.makeWithTraffic(({ url }) =>
        url.pathname === "/5" ? { status: 400 } : { json: 1, delay: url.pathname === "/0" ? "1 second" : "10 millis" }
      )
      const records = yield* runAll(
        fetchAll(urls(100), { concurrency: 4, failFast: true }).pipe(
          Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer)))
        )
      )
      expect(records.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5])
      expect(records.at(-1)?.ok).toBe(false)
      expect(fake.traffic().requests.length).toBeLessThan(100)
    }))
})
