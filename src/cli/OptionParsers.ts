/**
 * Flag values that need parsing beyond what `@effect/cli` offers (durations, sizes, headers),
 * reported as one line naming the flag.
 *
 * @module
 */
import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import { parseDuration } from "../domain/DurationText.js"
import { parseRate, type Rate } from "../domain/RateText.js"
import { parseSize } from "../domain/SizeText.js"

export const invalid = (flag: string, reason: string) => ValidationError.invalidValue(HelpDoc.p(`--${flag}: ${reason}`))

/** The help's note of a flag's default and environment variable: `[default 30s, env VOLLEY_TIMEOUT]`. */
export const defaultNote = (fallback: string | number, env?: string) =>
  `[default ${fallback}${env === undefined ? "" : `, env ${env}`}]`

/** A `--name DURATION` flag with a default and an optional `VOLLEY_*` environment fallback. */
export const durationOption = (
  name: string,
  fallback: string,
  env?: string,
  alias?: string
): Options.Options<Duration.Duration> => {
  const named = Options.text(name).pipe(
    Options.withPseudoName("DURATION"),
    Options.withDescription(defaultNote(fallback, env))
  )
  const base = alias === undefined ? named : Options.withAlias(named, alias)
  const withDefault = env === undefined
    ? Options.withDefault(base, fallback)
    : Options.withFallbackConfig(base, Config.string(env).pipe(Config.withDefault(fallback)))
  return withDefault.pipe(
    Options.mapEffect((text) => Either.mapLeft(parseDuration(text), (reason) => invalid(name, reason)))
  )
}

/** A `--name SIZE` flag (`10MiB`). */
export const sizeOption = (name: string, fallback: string): Options.Options<number> =>
  Options.text(name).pipe(
    Options.withPseudoName("SIZE"),
    Options.withDescription(defaultNote(fallback)),
    Options.withDefault(fallback),
    Options.mapEffect((text) => Either.mapLeft(parseSize(text), (reason) => invalid(name, reason)))
  )

/** A positive integer flag, with an optional environment fallback. */
export const positiveIntOption = (
  name: string,
  fallback: number,
  options: { readonly env?: string; readonly min?: number; readonly alias?: string } = {}
): Options.Options<number> => {
  const min = options.min ?? 1
  const base = Options.integer(name).pipe(
    Options.withPseudoName("N"),
    Options.withDescription(defaultNote(fallback, options.env)),
    (o) => options.alias === undefined ? o : Options.withAlias(o, options.alias)
  )
  const withDefault = options.env === undefined
    ? Options.withDefault(base, fallback)
    : Options.withFallbackConfig(base, Config.integer(options.env).pipe(Config.withDefault(fallback)))
  return withDefault.pipe(
    Options.mapEffect((n) =>
      n >= min ? Effect.succeed(n) : Effect.fail(invalid(name, `must be at least ${min}, got ${n}`))
    )
  )
}

/** An optional positive integer flag. */
export const optionalPositiveInt = (name: string): Options.Options<Option.Option<number>> =>
  Options.integer(name).pipe(
    Options.withPseudoName("N"),
    Options.mapEffect((n) => n >= 1 ? Effect.succeed(n) : Effect.fail(invalid(name, `must be at least 1, got ${n}`))),
    Options.optional
  )

/** `Name: value` header flags into a record; a value without a colon is refused. */
export const headersOption: Options.Options<Record<string, string>> = Options.text("header").pipe(
  Options.withAlias("H"),
  Options.withPseudoName("'NAME: VALUE'"),
  Options.repeated,
  Options.mapEffect((lines) => {
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(":")
      const name = colon > 0 ? line.slice(0, colon).trim() : ""
      // Never echo the whole line: the value may be a secret.
      if (colon <= 0) return Effect.fail(invalid("header", "expected 'Name: value' (no colon found)"))
      if (name === "" || /\s/.test(name)) return Effect.fail(invalid("header", `'${name}' is not a header name`))
      headers[name] = line.slice(colon + 1).trim()
    }
    return Effect.succeed(headers)
  })
)

/** A flag taking one of a few words; a wrong word is named with the flag and the choices. */
export const choiceOption = <const C extends ReadonlyArray<string>>(
  name: string,
  choices: C,
  fallback?: C[number]
): Options.Options<C[number]> => {
  const base = Options.text(name).pipe(
    Options.withPseudoName(choices.join("|")),
    (o) => fallback === undefined ? o : Options.withDescription(o, defaultNote(fallback))
  )
  return (fallback === undefined ? base : Options.withDefault(base, fallback)).pipe(
    Options.mapEffect((text) =>
      (choices as ReadonlyArray<string>).includes(text)
        ? Effect.succeed(text as C[number])
        : Effect.fail(invalid(name, `'${text}' is not one of ${choices.join(", ")}`))
    )
  )
}

/** The URLs given as arguments; `{1..100}` ranges expand. */
export const urlsArg = Args.text({ name: "url" }).pipe(
  Args.withDescription("URLs to fetch; {1..100} and {001..100} ranges expand"),
  Args.repeated
)

/** An optional text flag: `--name VALUE`, with a placeholder, a description and maybe an alias. */
export const optionalText = (
  name: string,
  pseudoName: string,
  description: string,
  alias?: string
): Options.Options<Option.Option<string>> => {
  const base = Options.text(name).pipe(Options.withPseudoName(pseudoName), Options.withDescription(description))
  return Options.optional(alias === undefined ? base : Options.withAlias(base, alias))
}

/** A repeatable text flag (`-d a -d b`), in the order given. */
export const repeatedText = (
  name: string,
  pseudoName: string,
  description: string,
  alias?: string
): Options.Options<ReadonlyArray<string>> => {
  const base = Options.text(name).pipe(Options.withPseudoName(pseudoName), Options.withDescription(description))
  return Options.repeated(alias === undefined ? base : Options.withAlias(base, alias))
}

/** `--input FILE`: URLs one per line; `-` is stdin. */
export const inputOption = optionalText(
  "input",
  "FILE",
  "read URLs from FILE, one per line (- for stdin); blank lines and # comments skipped",
  "i"
)

/** An optional `--rate` flag: `5`, `5/s`, `100/m`. */
export const rateOption = (name: string): Options.Options<Option.Option<Rate>> =>
  Options.text(name).pipe(
    Options.withPseudoName("N[/s|/m]"),
    Options.mapEffect((text) => Either.mapLeft(parseRate(text), (reason) => invalid(name, reason))),
    Options.optional
  )
