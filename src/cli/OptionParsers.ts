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
import * as ConfigError from "effect/ConfigError"
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

/**
 * A flag given as text and parsed by `parse`, with an optional default and `VOLLEY_*` variable.
 * A bad value names where it came from: `--timeout: '1x' is not a duration` for the flag,
 * `VOLLEY_TIMEOUT: …` for the variable.
 */
const parsedOption = <A>(
  name: string,
  spec: {
    readonly pseudoName: string
    readonly parse: (text: string) => Either.Either<A, string>
    readonly fallback?: string | undefined
    readonly env?: string | undefined
    readonly alias?: string | undefined
  }
): Options.Options<A> => {
  const named = Options.text(name).pipe(
    Options.withPseudoName(spec.pseudoName),
    (o) => spec.fallback === undefined ? o : Options.withDescription(o, defaultNote(spec.fallback, spec.env))
  )
  const base = spec.alias === undefined ? named : Options.withAlias(named, spec.alias)
  const fromEnv = (env: string, fallback: string) =>
    Config.string(env).pipe(
      Config.withDefault(fallback),
      Config.mapOrFail((text) =>
        Either.match(spec.parse(text), {
          onLeft: (reason) => Either.left(ConfigError.InvalidData([], `${env}: ${reason}`)),
          onRight: () => Either.right(text)
        })
      )
    )
  const withFallback = spec.fallback === undefined
    ? base
    : spec.env === undefined
    ? Options.withDefault(base, spec.fallback)
    : Options.withFallbackConfig(base, fromEnv(spec.env, spec.fallback))
  return withFallback.pipe(
    Options.mapEffect((text) => Either.mapLeft(spec.parse(text), (reason) => invalid(name, reason)))
  )
}

/** A whole number of at least `min`, as written on a command line (`1e9` and `abc` are not). */
export const parseWholeNumber = (text: string, min: number): Either.Either<number, string> => {
  if (!/^\s*\d+\s*$/.test(text)) return Either.left(`'${text}' is not a whole number`)
  const n = Number(text)
  if (!Number.isSafeInteger(n)) return Either.left(`'${text.trim()}' is too large`)
  return n >= min ? Either.right(n) : Either.left(`must be at least ${min}, got ${n}`)
}

/** A `--name DURATION` flag with a default and an optional `VOLLEY_*` environment fallback. */
export const durationOption = (
  name: string,
  fallback: string,
  env?: string,
  alias?: string
): Options.Options<Duration.Duration> =>
  parsedOption(name, { pseudoName: "DURATION", parse: parseDuration, fallback, env, alias })

/** A `--name SIZE` flag (`10MiB`). */
export const sizeOption = (name: string, fallback: string): Options.Options<number> =>
  parsedOption(name, { pseudoName: "SIZE", parse: parseSize, fallback })

/** A positive integer flag, with an optional environment fallback. */
export const positiveIntOption = (
  name: string,
  fallback: number,
  options: { readonly env?: string; readonly min?: number; readonly alias?: string } = {}
): Options.Options<number> =>
  parsedOption(name, {
    pseudoName: "N",
    parse: (text) => parseWholeNumber(text, options.min ?? 1),
    fallback: String(fallback),
    env: options.env,
    alias: options.alias
  })

/** An optional positive integer flag. */
export const optionalPositiveInt = (name: string): Options.Options<Option.Option<number>> =>
  Options.optional(parsedOption(name, { pseudoName: "N", parse: (text) => parseWholeNumber(text, 1) }))

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
  Options.optional(parsedOption(name, { pseudoName: "N[/s|/m]", parse: parseRate }))
