/**
 * A fair (first come, first served) limit on work in flight, for thousands of waiters.
 *
 * Why not `Effect.Semaphore`: on each release it calls every waiter's observer while a permit
 * looks free, and each of them resumes its fiber before any has taken the permit, so one
 * release wakes every waiting fiber and all but one go back to waiting. A worker has a few
 * hundred inputs waiting for its 50 permits (every input of every batch in flight), and that
 * herd was where the 1-worker cluster run spent its CPU (PERFORMANCE.md, "Cluster mode").
 * Here a release hands its permit to the oldest waiter, and no one else wakes.
 *
 * @module
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

export interface Permits {
  /** Runs `self` holding one permit; waits in line for it. */
  readonly withPermit: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const makePermits = (permits: number): Permits => {
  let free = permits
  // A Set keeps insertion order (the line) and removes a waiter that gave up in O(1).
  const waiting = new Set<Deferred.Deferred<void>>()
  const release = () => {
    const next = waiting.values().next()
    if (next.done === true) {
      free++
      return
    }
    waiting.delete(next.value)
    Deferred.unsafeDone(next.value, Exit.void)
  }
  const acquire: Effect.Effect<void> = Effect.suspend(() => {
    if (free > 0) {
      free--
      return Effect.void
    }
    const turn = Deferred.unsafeMake<void>(FiberId.none)
    waiting.add(turn)
    return Effect.onInterrupt(Deferred.await(turn), () =>
      Effect.sync(() => {
        // Still in line: leave it. Already handed a permit: give it on.
        if (!waiting.delete(turn)) release()
      }))
  })
  return {
    withPermit: (self) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(restore(acquire), Effect.ensuring(restore(self), Effect.sync(release)))
      )
  }
}
