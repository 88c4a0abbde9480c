/**
 * The ordered pool on its own: order, the concurrency cap, a slow head, stops and failures.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Fiber, Ref, Stream } from "effect"
import { orderedPool } from "../../src/engine/OrderedPool.js"

const range = (n: number) => Stream.range(0, n - 1)
const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)
const running = { concurrency: 4, stopped: () => false }

describe("OrderedPool", () => {
  it.effect("emits in input order whatever order the work finishes in, and never runs more than the cap", () =>
    Effect.gen(function*() {
      const gates = yield* Effect.forEach(Array.from({ length: 40 }), () => Deferred.make<void>())
      let inFlight = 0
      let maxInFlight = 0
      const work = (i: number) =>
        Effect.gen(function*() {
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          yield* Deferred.await(gates[i]!)
          inFlight--
          return i * 10
        })
      const fiber = yield* Effect.fork(collect(orderedPool(range(40), work, running)))
      // Open the gates from the last to the first: each input waits for every later one.
      for (let i = 39; i >= 0; i--) {
        yield* Effect.yieldNow()
        yield* Deferred.succeed(gates[i]!, undefined)
      }
      expect(yield* Fiber.join(fiber)).toEqual(Array.from({ length: 40 }, (_, i) => i * 10))
      expect(maxInFlight).toBe(4)
    }))

  it.effect("a slow head holds back emission, not work, and only up to a bounded window", () =>
    Effect.gen(function*() {
      const head = yield* Deferred.make<void>()
      const started = yield* Ref.make(0)
      const work = (i: number) =>
        Effect.zipRight(
          Ref.update(started, (n) => n + 1),
          i === 0 ? Effect.as(Deferred.await(head), i) : Effect.succeed(i)
        )
      const fiber = yield* Effect.fork(collect(orderedPool(range(100_000), work, { ...running, concurrency: 2 })))
      // Let the pool run until it stops taking inputs behind the stuck head.
      let seen = -1
      while (seen !== (yield* Ref.get(started))) {
        seen = yield* Ref.get(started)
        for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
      }
      expect(seen).toBeGreaterThan(2)
      expect(seen).toBeLessThan(2000)
      yield* Deferred.succeed(head, undefined)
      const out = yield* Fiber.join(fiber)
      expect(out.length).toBe(100_000)
      expect(out.every((value, i) => value === i)).toBe(true)
    }))

  it.effect("after a stop, nothing new starts and everything started is emitted", () =>
    Effect.gen(function*() {
      let stop = false
      const started: Array<number> = []
      const work = (i: number) =>
        Effect.gen(function*() {
          started.push(i)
          if (i === 25) stop = true
          yield* Effect.yieldNow()
          return i
        })
      const out = yield* collect(orderedPool(range(1000), work, { concurrency: 4, stopped: () => stop }))
      expect(out).toEqual([...started].sort((a, b) => a - b))
      expect(out.length).toBeLessThan(40)
      expect(out.slice(0, 26)).toEqual(Array.from({ length: 26 }, (_, i) => i))
    }))

  it.effect("a failure of the work ends the stream after the results before it", () =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const work = (i: number) => i === 7 ? Effect.fail(`boom at ${i}`) : Effect.succeed(i)
      const result = yield* Stream.runForEach(
        orderedPool(range(100), work, running),
        (i) => Effect.sync(() => seen.push(i))
      ).pipe(Effect.either)
      expect(result).toEqual(Either.left("boom at 7"))
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6])
    }))

  it.effect("a failure of the inputs ends the stream after every input read before it", () =>
    Effect.gen(function*() {
      const inputs = Stream.concat(range(10), Stream.fail("input broke"))
      const seen: Array<number> = []
      const result = yield* Stream.runForEach(
        orderedPool(inputs, (i: number) => Effect.succeed(i), running),
        (i) => Effect.sync(() => seen.push(i))
      ).pipe(Effect.either)
      expect(result).toEqual(Either.left("input broke"))
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i))
    }))

  it.effect("no inputs, no output; one worker is a sequential run", () =>
    Effect.gen(function*() {
      expect(yield* collect(orderedPool(Stream.empty, (i: number) => Effect.succeed(i), running))).toEqual([])
      const order: Array<number> = []
      const out = yield* collect(
        orderedPool(range(5), (i) => Effect.sync(() => order.push(i)).pipe(Effect.as(i)), {
          ...running,
          concurrency: 1
        })
      )
      expect(out).toEqual([0, 1, 2, 3, 4])
      expect(order).toEqual([0, 1, 2, 3, 4])
    }))
})
