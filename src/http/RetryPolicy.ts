/**
 * When to send a failed request again, and how long to wait first.
 *
 * Only transient failures are retried (transport errors, time-outs, 408/429/5xx-gateway
 * statuses); the wait grows exponentially with jitter, is capped, and is never shorter than the
 * server's `Retry-After`. A `Retry-After` longer than the cap ends the retries instead of
 * stalling the run.
 *
 * @module
 */
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { Defaults } from "../domain/Defaults.js"
import { type FetchError, isTransient } from "../domain/FetchError.js"

/** How many times to retry, and the bounds of the wait between attempts. */
export interface RetryOptions {
  /** Retries after the first attempt (so at most `retries + 1` attempts). */
  readonly retries: number
  /** The first wait; each later one doubles. */
  readonly backoff: Duration.DurationInput
  /** No single wait is longer than this. */
  readonly maxBackoff: Duration.DurationInput
  /** Told of each retry as it starts (`--verbose` prints a line per retry). */
  readonly onRetry?: ((event: RetryEvent) => Effect.Effect<void>) | undefined
}

/** A retry about to be sent: which input, which attempt, why, and how long it waited. */
export interface RetryEvent {
  readonly url: string
  /** The attempt about to be sent (2 for the first retry). */
  readonly attempt: number
  /** The most attempts the input may take. */
  readonly of: number
  /** The failure of the previous attempt. */
  readonly error: FetchError
  /** The wait between that failure and this attempt. */
  readonly waitedMs: number
}

export const defaultRetryOptions: RetryOptions = {
  retries: Defaults.retries,
  backoff: Duration.millis(Defaults.backoffMs),
  maxBackoff: Duration.millis(Defaults.maxBackoffMs)
}

/**
 * Parses a `Retry-After` header value as RFC 9110 says: delay-seconds (digits only) or an HTTP
 * date (a past date is no wait). Returns the wait in milliseconds from `nowMs`, or none when the
 * value is absent or malformed (`-5`, `soon`, `1.5`) — a malformed value asks for nothing.
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, nowMs: number): Option.Option<number> => {
  if (value === undefined) return Option.none()
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Number(trimmed) * 1000)
  // An HTTP date names a weekday or month and a four-digit year; `Date.parse` alone takes "-5".
  if (!/[A-Za-z]{3}/.test(trimmed) || !/\b\d{4}\b/.test(trimmed)) return Option.none()
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? Option.none() : Option.some(Math.max(0, date - nowMs))
}

/**
 * A wait as people say it: `800 ms`, `45 s`, `12 min`, `27 h`, `1157 days`.
 * @internal
 */
export const describeWait = (ms: number): string =>
  !Number.isFinite(ms)
    ? "forever"
    : ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 60_000
    ? `${Math.round(ms / 1000)} s`
    : ms < 3_600_000
    ? `${Math.round(ms / 60_000)} min`
    : ms < 172_800_000
    ? `${Math.round(ms / 3_600_000)} h`
    : `${Math.round(ms / 86_400_000)} days`

const retryAfterOf = (error: FetchError): number =>
  error._tag === "StatusError" && error.retryAfterMs !== undefined ? error.retryAfterMs : 0

/**
 * Whether a failure should be retried under these options (transient, and a wait we accept).
 * @internal
 */
export const isRetryable = (options: RetryOptions) => {
  const maxMs = Duration.toMillis(options.maxBackoff)
  return (error: FetchError): boolean => isTransient(error) && retryAfterOf(error) <= maxMs
}

/**
 * The retry schedule: its input is the failure just seen, its delays are
 * `min(maxBackoff, jitter(backoff · 2^n))`, raised to the server's `Retry-After`.
 */
export const retrySchedule = (options: RetryOptions): Schedule.Schedule<unknown, FetchError> => {
  const max = Duration.decode(options.maxBackoff)
  return Schedule.exponential(options.backoff, 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, max)),
    Schedule.intersect(Schedule.recurs(options.retries)),
    Schedule.intersect(Schedule.identity<FetchError>()),
    Schedule.whileInput(isRetryable(options)),
    // Whole milliseconds: jitter makes fractions, which timers cannot represent exactly.
    Schedule.modifyDelay(([, error], delay) =>
      Duration.millis(Math.round(Math.max(Duration.toMillis(delay), retryAfterOf(error))))
    )
  )
}
