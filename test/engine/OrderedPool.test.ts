/**
 * The ordered pool on its own: order, the concurrency cap, a slow head, stops and failures —
 * with work as effects, and with a starter (work driven by callbacks).
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Fiber, Ref, Stream } from "effect"
import { orderedPool } from "../../src/engine/OrderedPool.js"
import type { Starter } from "../../src/http/Starter.js"

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

  describe("with a starter (the callback lane)", () => {
    /** Work the starter can hand over to the fiber: the same result, through an effect. */
    const viaFiber = (i: number) => Effect.succeed(i * 10)

    it.effect("keeps input order when callbacks end in reverse, and never starts more than the cap", () =>
      Effect.gen(function*() {
        const waiting: Array<() => void> = []
        let started = 0
        let finished = 0
        let maxInFlight = 0
        const start: Starter<number, number> = (i, succeed) => {
          started++
          maxInFlight = Math.max(maxInFlight, started - finished)
          waiting.push(() => {
            finished++
            succeed(i * 10)
          })
          return () => {}
        }
        const fiber = yield* Effect.fork(collect(orderedPool(range(40), viaFiber, { ...running, start })))
        // End whatever is in flight from the last started to the first, until everything has run.
        while (finished < 40) {
          yield* Effect.yieldNow()
          const batch = waiting.splice(0)
          for (const end of batch.reverse()) end()
        }
        expect(yield* Fiber.join(fiber)).toEqual(Array.from({ length: 40 }, (_, i) => i * 10))
        expect(maxInFlight).toBe(4)
      }))

    it.effect("inputs that end at once, many of them, are looped, not recursed", () =>
      Effect.gen(function*() {
        const start: Starter<number, number> = (i, succeed) => {
          succeed(i)
          return () => {}
        }
        const out = yield* collect(orderedPool(range(50_000), viaFiber, { ...running, start }))
        expect(out.length).toBe(50_000)
        expect(out.every((value, i) => value === i)).toBe(true)
      }))

    it.effect("mixes callbacks (at once or later) and effects handed over (at once or later), in order", () =>
      Effect.gen(function*() {
        const gates = yield* Effect.forEach(Array.from({ length: 60 }), () => Deferred.make<void>())
        const later: Array<() => void> = []
        const start: Starter<number, number> = (i, succeed, continueWith) => {
          switch (i % 4) {
            case 0:
              succeed(i)
              break
            case 1:
              later.push(() => succeed(i))
              break
            case 2:
              continueWith(Effect.succeed(i))
              break
            default:
              later.push(() => continueWith(Effect.as(Deferred.await(gates[i]!), i)))
          }
          return () => {}
        }
        const fiber = yield* Effect.fork(collect(orderedPool(range(60), viaFiber, { ...running, start })))
        let opened = 0
        while (opened < 60) {
          yield* Effect.yieldNow()
          for (const end of later.splice(0)) end()
          yield* Deferred.succeed(gates[opened]!, undefined)
          opened++
        }
        expect(yield* Fiber.join(fiber)).toEqual(Array.from({ length: 60 }, (_, i) => i))
      }))

    it.effect("a failure handed over ends the stream after the results before it", () =>
      Effect.gen(function*() {
        const seen: Array<number> = []
        const start: Starter<number, number, string> = (i, succeed, continueWith) => {
          if (i === 7) continueWith(Effect.fail(`boom at ${i}`))
          else succeed(i)
          return () => {}
        }
        const work = (i: number): Effect.Effect<number, string> => Effect.succeed(i)
        const result = yield* Stream.runForEach(
          orderedPool(range(100), work, { ...running, start }),
          (i) => Effect.sync(() => seen.push(i))
        ).pipe(Effect.either)
        expect(result).toEqual(Either.left("boom at 7"))
        expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6])
      }))

    it.effect("after a stop, nothing new starts and everything started is emitted", () =>
      Effect.gen(function*() {
        let stop = false
        const started: Array<number> = []
        const later: Array<() => void> = []
        const start: Starter<number, number> = (i, succeed) => {
          started.push(i)
          if (i === 25) stop = true
          later.push(() => succeed(i))
          return () => {}
        }
        const fiber = yield* Effect.fork(
          collect(orderedPool(range(1000), viaFiber, { concurrency: 4, stopped: () => stop, start }))
        )
        while (later.length > 0 || started.length === 0) {
          yield* Effect.yieldNow()
          for (const end of later.splice(0)) end()
        }
        const out = yield* Fiber.join(fiber)
        expect(out).toEqual([...started].sort((a, b) => a - b))
        expect(out.length).toBeLessThan(40)
        expect(out.slice(0, 26)).toEqual(Array.from({ length: 26 }, (_, i) => i))
      }))

    it.effect("interrupting the stream cancels what is in flight; nothing ends after its cancel", () =>
      Effect.gen(function*() {
        const inFlight = new Map<number, (value: number) => void>()
        const cancelled: Array<number> = []
        const start: Starter<number, number> = (i, succeed) => {
          inFlight.set(i, succeed)
          return () => {
            inFlight.delete(i)
            cancelled.push(i)
          }
        }
        const emitted: Array<number> = []
        const fiber = yield* Effect.fork(
          Stream.runForEach(
            orderedPool(range(100), viaFiber, { ...running, start }),
            (i) => Effect.sync(() => emitted.push(i))
          )
        )
        while (inFlight.size < 4) yield* Effect.yieldNow()
        // The first two end; the workers that ran them start the next two.
        const end = (i: number) => {
          const succeed = inFlight.get(i)!
          inFlight.delete(i)
          succeed(i)
        }
        end(0)
        end(1)
        const late = inFlight.get(2)!
        yield* Fiber.interrupt(fiber)
        expect(cancelled.sort((a, b) => a - b)).toEqual([2, 3, 4, 5])
        expect(inFlight.size).toBe(0)
        // An answer that comes after the cancel (a transport that cannot stop in time) is dropped.
        late(2)
        expect(emitted.length).toBeLessThanOrEqual(2)
      }))
  })
})
