/**
 * Request rates as written on the command line: `5` or `5/s` (per second), `100/m` (per minute).
 *
 * @module
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"

export interface Rate {
  readonly limit: number
  readonly interval: Duration.Duration
}

/** Parses a rate, or says what is wrong with it. */
export const parseRate = (text: string): Either.Either<Rate, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?\s*$/i.exec(text)
  if (match === null || Number(match[1]) <= 0) {
    return Either.left(`'${text}' is not a rate (examples: 5, 5/s, 100/m)`)
  }
  const unit = (match[2] ?? "s").toLowerCase()[0]
  const interval = unit === "m" ? Duration.minutes(1) : unit === "h" ? Duration.hours(1) : Duration.seconds(1)
  const n = Number(match[1])
  // Fractional rates (0.5/s) become whole requests over a longer interval (1 per 2 s).
  return Number.isInteger(n)
    ? Either.right({ limit: n, interval })
    : Either.right({ limit: 1, interval: Duration.times(interval, 1 / n) })
}

/** `5/s`, for messages. */
export const formatRate = (rate: Rate) => `${rate.limit}/${Duration.format(rate.interval)}`
