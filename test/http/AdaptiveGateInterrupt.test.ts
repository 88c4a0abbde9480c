/**
 * An interrupted caller of the adaptive gate gives back exactly what it took: a waiter
 * interrupted in the queue releases nothing, an attempt interrupted in flight frees its slot, so
 * the gate admits the same number afterwards (no permit leaked, none made up). TestClock only.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import { makeAdaptiveGate } from "../../src/http/AdaptiveGate.js"
import type { Answer } from "../../src/http/RequestGate.js"

const ok: Answer = { status: 200, headers: {}, text: "", url: "http://api.test/" }

/** A gate and a way to send attempts through it that stay in flight until released. */
const harness = (max: number) => {
  const gate = makeAdaptiveGate(max)
  let inFlight = 0
  let started = 0
  const held = (until: Deferred.Deferred<void>) =>
    gate.around(
      "api.test",
      Effect.sync(() => {
        inFlight++
        started++
      }).pipe(
        Effect.zipRight(Deferred.await(until)),
        Effect.as(ok),
        Effect.ensuring(Effect.sync(() => inFlight--))
      )
    )
  return { gate, held, inFlight: () => inFlight, started: () => started }
}

/** The first answer ends the gate's slow start; `max` then applies. */
const pastSlowStart = (h: ReturnType<typeof harness>) =>
  Effect.gen(function*() {
    const done = yield* Deferred.make<void>()
    yield* Deferred.succeed(done, undefined)
    yield* h.held(done)
  })

/** How many attempts the gate lets in at once now: starts `tries` held attempts, counts, lets them go. */
const admitted = (h: ReturnType<typeof harness>, tries: number) =>
  Effect.gen(function*() {
    const release = yield* Deferred.make<void>()
    const before = h.started()
    const fibers = yield* Effect.forEach(Array.from({ length: tries }), () => Effect.fork(h.held(release)))
    yield* TestClock.adjust("1 millis")
    const count = h.started() - before
    yield* Deferred.succeed(release, undefined)
    yield* Fiber.joinAll(fibers)
    return count
  })

describe("AdaptiveGate interrupted", () => {
  it.effect("a waiter interrupted in the queue releases nothing it did not take", () =>
    Effect.gen(function*() {
      const h = harness(2)
      yield* pastSlowStart(h)
      expect(yield* admitted(h, 5)).toBe(2)

      const hold = yield* Deferred.make<void>()
      const running = yield* Effect.forEach([1, 2], () => Effect.fork(h.held(hold)))
      const waiting = yield* Effect.fork(h.held(hold))
      yield* TestClock.adjust("1 millis")
      expect(h.inFlight()).toBe(2)
      yield* Fiber.interrupt(waiting)
      expect(h.inFlight()).toBe(2)
      // Had the interrupted waiter released a slot, a third attempt would start now.
      const extra = yield* Effect.fork(h.held(hold))
      yield* TestClock.adjust("1 millis")
      expect(h.inFlight()).toBe(2)
      yield* Deferred.succeed(hold, undefined)
      yield* Fiber.joinAll([...running, extra])
      expect(h.inFlight()).toBe(0)
      expect(yield* admitted(h, 5)).toBe(2)
    }))

  it.effect("an attempt interrupted in flight frees its slot, once", () =>
    Effect.gen(function*() {
      const h = harness(3)
      yield* pastSlowStart(h)
      const never = yield* Deferred.make<void>()
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(h.held(never)))
      yield* TestClock.adjust("1 millis")
      expect(h.inFlight()).toBe(3)
      yield* Fiber.interruptAll(fibers)
      expect(h.inFlight()).toBe(0)
      expect(yield* admitted(h, 6)).toBe(3)
    }))

  it.effect("a waiter interrupted after its slot was granted hands the slot back", () =>
    Effect.gen(function*() {
      const h = harness(1)
      yield* pastSlowStart(h)
      const first = yield* Deferred.make<void>()
      const running = yield* Effect.fork(h.held(first))
      const never = yield* Deferred.make<void>()
      const waiting = yield* Effect.fork(h.held(never))
      yield* TestClock.adjust("1 millis")
      // The slot passes to the waiter as the first ends; it is interrupted in the same step.
      yield* Deferred.succeed(first, undefined)
      yield* Fiber.join(running)
      yield* Fiber.interrupt(waiting)
      expect(h.inFlight()).toBe(0)
      expect(yield* admitted(h, 3)).toBe(1)
    }))
})
