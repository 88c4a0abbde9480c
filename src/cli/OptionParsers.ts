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
import * as Duration from "effect/Duration"
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
export const parseWholeNumber = (
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER
): Either.Either<number, string> => {
  if (!/^\s*\d+\s*$/.test(text)) return Either.left(`'${text}' is not a whole number`)
  const n = Number(text)
  if (!Number.isSafeInteger(n)) return Either.left(`'${text.trim()}' is too large`)
  if (n < min) return Either.left(`must be at least ${min}, got ${n}`)
  return n <= max ? Either.right(n) : Either.left(`must be at most ${max}, got ${n}`)
}

/** A `--name DURATION` flag with a default and an optional `VOLLEY_*` environment fallback. */
export const durationOption = (
  name: string,
  fallback: string,
  env?: string,
  options: { readonly positive?: boolean; readonly alias?: string } = {}
): Options.Options<Duration.Duration> =>
  parsedOption(name, {
    pseudoName: "DURATION",
    parse: (text) =>
      Either.flatMap(parseDuration(text), (duration) =>
        options.positive === true && Duration.toMillis(duration) <= 0
          ? Either.left(`must be more than 0, got '${text}'`)
          : Either.right(duration)),
    fallback,
    env,
    alias: options.alias
  })

/** A `--name SIZE` flag (`10MiB`). */
export const sizeOption = (name: string, fallback: string): Options.Options<number> =>
  parsedOption(name, { pseudoName: "SIZE", parse: parseSize, fallback })

/** A size flag (`512KiB`, `10MiB`) whose default the caller decides. */
export const optionalSizeOption = (name: string): Options.Options<Option.Option<number>> =>
  Options.optional(parsedOption(name, { pseudoName: "SIZE", parse: parseSize }))

/** A positive integer flag, with an optional environment fallback. */
export const positiveIntOption = (
  name: string,
  fallback: number,
  options: { readonly env?: string; readonly min?: number; readonly max?: number; readonly alias?: string } = {}
): Options.Options<number> =>
  parsedOption(name, {
    pseudoName: "N",
    parse: (text) => parseWholeNumber(text, options.min ?? 1, options.max),
    fallback: String(fallback),
    env: options.env,
    alias: options.alias
  })

/** An optional positive integer flag. */
export const optionalPositiveInt = (name: string): Options.Options<Option.Option<number>> =>
  Options.optional(parsedOption(name, { pseudoName: "N", parse: (text) => parseWholeNumber(text, 1) }))

/** RFC 9110 `token`: the characters a header name is made of. */
const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Characters no header value may hold (RFC 9110 field-value): controls but HTAB, DEL; CR, LF. */
const badValueCharacter = /[\u0000-\u0008\u000a-\u001f\u007f]/

/** Why a header cannot be sent, or undefined when it can (RFC 9110 §5.1, §5.5). */
export const headerProblem = (name: string, value: string): string | undefined => {
  if (!headerNamePattern.test(name)) return `'${name}' is not a header name (RFC 9110 token)`
  const bad = badValueCharacter.exec(value)
  if (bad !== null) {
    const code = bad[0].charCodeAt(0)
    const what = code === 13 ? "a CR" : code === 10 ? "a LF" : `control character 0x${code.toString(16)}`
    // Never echo the value: it may be a secret.
    return `the value of '${name}' holds ${what}, which a header cannot carry`
  }
  return undefined
}

/**
 * `Name: value` header flags into a record; a value without a colon, a name that is not a
 * token, and a value with CR, LF or another control character are refused at set-up.
 */
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
      const value = line.slice(colon + 1).trim()
      const problem = headerProblem(name, value)
      if (problem !== undefined) return Effect.fail(invalid("header", problem))
      headers[name] = value
    }
    return Effect.succeed(headers)
  })
)

/** `--secret-header NAME`, repeatable: more headers to redact and to drop on cross-origin redirects. */
export const secretHeadersOption: Options.Options<ReadonlyArray<string>> = Options.text("secret-header").pipe(
  Options.withPseudoName("NAME"),
  Options.repeated,
  Options.mapEffect((names) => {
    const bad = names.find((name) => !headerNamePattern.test(name))
    return bad === undefined
      ? Effect.succeed(names)
      : Effect.fail(invalid("secret-header", `'${bad}' is not a header name`))
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
