/**
 * `--rate`: one limit shared by every fiber of the run. Each attempt — retries included — is let
 * out only when it keeps both windows within the rate:
 *
 * - at most N departures in any window of the interval (N in any one second for `N/s`), counted
 *   from when attempts really left, so a late timer never lets N + 1 through;
 * - at most a tenth of N (rounded up) in any tenth of the interval, so the N do not leave in one
 *   burst at the start of each second.
 *
 * effect's `RateLimiter` token bucket was used first; it refills one token per timer (so at most
 * about 1000 tokens a second, whatever the rate) and starts with a full bucket, which lets N + 2
 * through in the first second. This gate keeps the last departures instead: any rate, exact.
 *
 * @module
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Rate } from "../domain/RateText.js"
import type { RequestGate } from "./RequestGate.js"

/** The last `size` departure times, oldest first; -Infinity before anything left. */
const makeWindow = (size: number, spanMs: number) => {
  const times = new Float64Array(size).fill(-Infinity)
  let oldest = 0
  return {
    /** The earliest time the next departure may leave. */
    openAt: () => times[oldest]! + spanMs,
    push: (at: number) => {
      times[oldest] = at
      oldest = (oldest + 1) % size
    }
  }
}

/** The two windows a rate is held with: the whole interval, and a tenth of it for smoothness. */
export const windowsOf = (rate: Rate): ReadonlyArray<{ readonly limit: number; readonly spanMs: number }> => {
  const spanMs = Duration.toMillis(rate.interval)
  // The server counts arrivals, not departures: a first request slowed by its connection set-up
  // and a later one sent on a warm connection can land within one window of the server's even
  // when they left a full window apart (seen on loopback: one 429 in two runs of 20 requests at
  // the exact limit). The main window is kept a little longer than the rate's interval.
  const margin = Math.min(spanMs / 20, 50)
  return rate.limit >= 10
    ? [{ limit: rate.limit, spanMs: spanMs + margin }, { limit: Math.ceil(rate.limit / 10), spanMs: spanMs / 10 }]
    : [{ limit: rate.limit, spanMs: spanMs + margin }, { limit: 1, spanMs: spanMs / rate.limit }]
}

/**
 * A gate holding the run to `rate`. Departures are decided one at a time (a mutex held only while
 * waiting for the window to open), the requests themselves run concurrently.
 */
export const makeRateGate = (rate: Rate): Effect.Effect<RequestGate> =>
  Effect.map(Effect.makeSemaphore(1), (mutex): RequestGate => {
    const windows = windowsOf(rate).map(({ limit, spanMs }) => makeWindow(limit, spanMs))
    const depart: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      let openAt = -Infinity
      for (const window of windows) openAt = Math.max(openAt, window.openAt())
      if (openAt > now) return Effect.zipRight(Effect.sleep(Duration.millis(openAt - now)), depart)
      for (const window of windows) window.push(now)
      return Effect.void
    })
    const turn = mutex.withPermits(1)(depart)
    return { around: (_host, attempt) => Effect.zipRight(turn, attempt) }
  })
