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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import { parseDuration } from "../domain/DurationText.js"
import { parseRate, type Rate } from "../domain/RateText.js"
import { parseSize } from "../domain/SizeText.js"

const invalid = (flag: string, reason: string) => ValidationError.invalidValue(HelpDoc.p(`--${flag}: ${reason}`))

/** A `--name DURATION` flag with a default and an optional `VOLLEY_*` environment fallback. */
export const durationOption = (
  name: string,
  fallback: string,
  env?: string,
  options: { readonly positive?: boolean } = {}
): Options.Options<Duration.Duration> => {
  const base = Options.text(name).pipe(Options.withPseudoName("DURATION"))
  const withDefault = env === undefined
    ? Options.withDefault(base, fallback)
    : Options.withFallbackConfig(base, Config.string(env).pipe(Config.withDefault(fallback)))
  return withDefault.pipe(
    Options.mapEffect((text) =>
      Either.flatMap(
        Either.mapLeft(parseDuration(text), (reason) => invalid(name, reason)),
        (duration) =>
          options.positive === true && Duration.toMillis(duration) <= 0
            ? Either.left(invalid(name, `must be more than 0, got '${text}'`))
            : Either.right(duration)
      )
    )
  )
}

/** A `--name SIZE` flag (`10MiB`). */
export const sizeOption = (name: string, fallback: string): Options.Options<number> =>
  Options.text(name).pipe(
    Options.withPseudoName("SIZE"),
    Options.withDefault(fallback),
    Options.mapEffect((text) => Either.mapLeft(parseSize(text), (reason) => invalid(name, reason)))
  )

/** A positive integer flag, with an optional environment fallback. */
export const positiveIntOption = (
  name: string,
  fallback: number,
  options: { readonly env?: string; readonly min?: number; readonly max?: number; readonly alias?: string } = {}
): Options.Options<number> => {
  const min = options.min ?? 1
  const max = options.max ?? Number.MAX_SAFE_INTEGER
  const base = Options.integer(name).pipe(
    (o) => options.alias === undefined ? o : Options.withAlias(o, options.alias)
  )
  const withDefault = options.env === undefined
    ? Options.withDefault(base, fallback)
    : Options.withFallbackConfig(base, Config.integer(options.env).pipe(Config.withDefault(fallback)))
  return withDefault.pipe(
    Options.mapEffect((n) =>
      !Number.isSafeInteger(n)
        ? Effect.fail(invalid(name, `'${n}' is not a whole number`))
        : n < min
        ? Effect.fail(invalid(name, `must be at least ${min}, got ${n}`))
        : n > max
        ? Effect.fail(invalid(name, `must be at most ${max}, got ${n}`))
        : Effect.succeed(n)
    )
  )
}

/** An optional positive integer flag. */
export const optionalPositiveInt = (name: string): Options.Options<Option.Option<number>> =>
  Options.integer(name).pipe(
    Options.mapEffect((n) => n >= 1 ? Effect.succeed(n) : Effect.fail(invalid(name, `must be at least 1, got ${n}`))),
    Options.optional
  )

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
  const base = Options.text(name).pipe(Options.withPseudoName(choices.join("|")))
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
