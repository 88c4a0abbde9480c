/**
 * `--rate`: one token bucket shared by every fiber of the run. Each attempt — retries included —
 * takes a token before it is sent, so the server sees at most the rate, and no less when there is
 * enough work.
 *
 * @module
 */
import { Duration, Effect, Option, RateLimiter, type Scope } from "effect"
import type { Rate } from "../domain/RateText.js"
import type { RequestGate } from "./RequestGate.js"

/**
 * A bucket of N tokens a second would let 2N requests through in the second that straddles a
 * refill. Refilling a tenth of the rate every tenth of the interval keeps any one-second window
 * within about 10% of the rate, while tokens still come fast enough not to slow a busy run.
 */
export const smoothed = (rate: Rate): { readonly limit: number; readonly interval: Duration.Duration } =>
  rate.limit >= 10
    ? {
      limit: Math.ceil(rate.limit / 10),
      interval: Duration.divide(rate.interval, 10).pipe(Option.getOrElse(() => rate.interval))
    }
    : { limit: 1, interval: Duration.divide(rate.interval, rate.limit).pipe(Option.getOrElse(() => rate.interval)) }

/** A gate holding the run to `rate`; the limiter lives as long as the scope. */
export const makeRateGate = (rate: Rate): Effect.Effect<RequestGate, never, Scope.Scope> =>
  Effect.map(
    RateLimiter.make({ ...smoothed(rate), algorithm: "token-bucket" }),
    (limiter): RequestGate => ({ around: (_host, attempt) => limiter(attempt) })
  )
