/**
 * Durations as people write them on a command line or in a workflow file: `500ms`, `10s`,
 * `1.5s`, `2m`, `1h`; a bare number is seconds.
 *
 * @module
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 }

/** Parses a duration, or says what is wrong with it. */
export const parseDuration = (text: string): Either.Either<Duration.Duration, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text)
  if (match === null) return Either.left(`'${text}' is not a duration (examples: 500ms, 10s, 2m)`)
  const unit = units[(match[2] ?? "s").toLowerCase()]!
  return Either.right(Duration.millis(Number(match[1]) * unit))
}

/**
 * Milliseconds for people: under a second in `ms` (`msDigits` decimals), else in `s`
 * (`secondDigits` decimals) — `850 ms`, `1.25 s`. Every report's times are written by this.
 */
export const formatMillis = (
  ms: number,
  options: { readonly msDigits?: number; readonly secondDigits?: number } = {}
) => ms >= 1000 ? `${(ms / 1000).toFixed(options.secondDigits ?? 2)} s` : `${ms.toFixed(options.msDigits ?? 0)} ms`

/** A duration written as text (`10s`), decoded to a `Duration`. */
export const DurationFromText = Schema.transformOrFail(Schema.String, Schema.DurationFromSelf, {
  strict: true,
  decode: (text, _, ast) =>
    Either.match(parseDuration(text), {
      onLeft: (message) => ParseResult.fail(new ParseResult.Type(ast, text, message)),
      onRight: ParseResult.succeed
    }),
  encode: (duration) => ParseResult.succeed(Duration.format(duration))
})

/** Milliseconds to a tenth, as records, timings and reports write them. */
export const roundMs = (ms: number): number => Math.round(ms * 10) / 10
