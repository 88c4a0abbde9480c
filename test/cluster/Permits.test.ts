import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { makePermits } from "../../src/cluster/Permits.js"

describe("Permits", () => {
  it.effect("at most n at once, served in arrival order", () =>
    Effect.gen(function*() {
      const permits = makePermits(2)
      let inFlight = 0
      let max = 0
      const order: Array<number> = []
      yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) =>
        permits.withPermit(Effect.gen(function*() {
          inFlight++
          max = Math.max(max, inFlight)
          order.push(i)
          yield* Effect.yieldNow()
          inFlight--
        })), { concurrency: "unbounded", discard: true })
      expect(max).toBe(2)
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i))
    }))

  it.effect("an interrupted waiter gives up its place; an interrupted holder gives its permit back", () =>
    Effect.gen(function*() {
      const permits = makePermits(1)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(permits.withPermit(Deferred.await(gate)))
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(permits.withPermit(Effect.void))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(waiter)
      yield* Fiber.interrupt(holder)
      // Both gone: the permit is free again.
      expect(yield* permits.withPermit(Effect.succeed("ran"))).toBe("ran")
    }))
})
