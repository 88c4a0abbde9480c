/**
 * `--adaptive`: concurrency that follows the server (additive increase, multiplicative
 * decrease, as TCP does). A 429, a 503 or a time-out halves the number of requests allowed in
 * flight — once per burst: refusals of requests sent before the last decrease do not count
 * again — and each success adds 1/limit, so the limit grows back by one per round of successes,
 * never above `--concurrency`.
 *
 * Like TCP's slow start, the run begins with one request alone: until its answer is back no other
 * is sent, so a server that announces its limits in that answer (`RateLimit-*`) is paced by the
 * host gate from the start instead of being overrun by the first burst. It costs one round trip.
 *
 * A queue of its own rather than `Effect.makeSemaphore` + `resize`: on each release Effect's
 * semaphore resumes every waiter while a permit looks free and all but one queue again — measured
 * in the cluster's worker (`cluster/Permits.ts`: GC 37% → 8%, 3,000 URLs 47.5 → 15.3 s); here each
 * release wakes the oldest waiters, no others.
 *
 * @module
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import type { RequestGate } from "./RequestGate.js"

export interface AdaptiveGate extends RequestGate {
  /** The current limit on requests in flight. */
  readonly limit: () => number
}

/** An adaptive gate starting at, and never above, `max` requests in flight. */
export const makeAdaptiveGate = (max: number): AdaptiveGate => {
  let limit = max
  let inFlight = 0
  // Bumped at each decrease; an attempt remembers the epoch it was sent in.
  let epoch = 0
  // Until the first attempt is over, one at a time.
  let probing = true
  const waiters: Array<Deferred.Deferred<void>> = []
  const capacity = () => (probing ? 1 : Math.floor(limit))

  const wake = () => {
    while (waiters.length > 0 && inFlight < capacity()) {
      inFlight++
      Deferred.unsafeDone(waiters.shift()!, Exit.void)
    }
  }
  const release = Effect.sync(() => {
    inFlight--
    probing = false
    wake()
  })
  const acquire = Effect.suspend(() => {
    if (inFlight < capacity()) {
      inFlight++
      return Effect.void
    }
    const turn = Deferred.unsafeMake<void>(FiberId.none)
    waiters.push(turn)
    return Deferred.await(turn).pipe(
      // Interrupted while waiting: leave the queue, or hand back a slot granted meanwhile.
      Effect.onInterrupt(() => {
        const at = waiters.indexOf(turn)
        return at >= 0 ? Effect.sync(() => waiters.splice(at, 1)) : release
      })
    )
  })
  const decrease = (sentIn: number) =>
    Effect.sync(() => {
      if (sentIn !== epoch) return
      epoch++
      limit = Math.max(1, limit / 2)
    })
  const increase = Effect.sync(() => {
    limit = Math.min(max, limit + 1 / Math.max(1, limit))
    wake()
  })

  return {
    limit: () => Math.floor(limit),
    around: (_host, attempt) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(restore(acquire), () => {
          const sentIn = epoch
          return restore(attempt).pipe(
            Effect.tap((answer) => (answer.status === 429 || answer.status === 503 ? decrease(sentIn) : increase)),
            Effect.tapError((error) => (error._tag === "TimeoutError" ? decrease(sentIn) : Effect.void)),
            Effect.ensuring(release)
          )
        })
      )
  }
}
