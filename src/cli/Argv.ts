/**
 * The command line checked against each command's own options before `@effect/cli` parses it.
 *
 * `@effect/cli` 0.77 lets an unknown flag swallow the word after it and goes on (`-x http://proxy
 * URL` fetched URL directly, exit 0), and it refuses attached short values (`-XPOST`, `-c5`). So
 * every word is accounted for here, in one place: an unknown flag ends the run naming it and the
 * closest real one; attached values and `--flag=value` are split into the form the parser takes.
 * The option lists come from the commands' own `Options` (their usage trees), so a new flag needs
 * no change here.
 *
 * @module
 */
import type * as Options from "@effect/cli/Options"
import { getUsage } from "@effect/cli/Options"
import type * as Usage from "@effect/cli/Usage"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { closestName } from "../domain/ClosestName.js"
import { UsageError } from "../domain/UsageError.js"

/** One flag as the command line sees it: its names (`-c`, `--concurrency`) and whether it takes a value. */
export interface FlagSpec {
  readonly names: ReadonlyArray<string>
  readonly takesValue: boolean
}

/** The named flags of a set of options, in order, read from their usage tree. */
export const namedUsages = (options: Options.Options<unknown>): ReadonlyArray<Usage.Named> => {
  const named: Array<Usage.Named> = []
  const walk = (usage: Usage.Usage): void => {
    switch (usage._tag) {
      case "Named":
        named.push(usage)
        return
      case "Optional":
      case "Repeated":
        return walk(usage.usage)
      case "Alternation":
      case "Concat":
        walk(usage.left)
        return walk(usage.right)
      default:
        return
    }
  }
  walk(getUsage(options))
  return named
}

/** The flags of a set of options. */
export const flagSpecs = (options: Options.Options<unknown>): ReadonlyArray<FlagSpec> =>
  namedUsages(options).map((usage) => ({ names: usage.names, takesValue: Option.isSome(usage.acceptedValues) }))

/** What the command line asks for: a run with the normalised words, or the help of a command. */
export type ArgvPlan =
  | { readonly _tag: "Run"; readonly args: ReadonlyArray<string> }
  | { readonly _tag: "Help"; readonly command: string | undefined }

/** Flags every command takes from `@effect/cli` itself. */
const builtIn: ReadonlyArray<FlagSpec> = [
  { names: ["--version"], takesValue: false },
  { names: ["--completions"], takesValue: true }
]
const helpFlags = new Set(["-h", "--help"])

const fail = (message: string): Either.Either<never, UsageError> => Either.left(new UsageError({ message }))

/** The closest name to an unknown one, by edit distance (at most 2), or a same-letter short flag. */
const closest = (given: string, specs: ReadonlyArray<FlagSpec>): string | undefined => {
  const all = specs.flatMap((spec) => spec.names)
  const describe = (name: string) => {
    const spec = specs.find((s) => s.names.includes(name))
    const long = spec?.names.find((n) => n.startsWith("--"))
    return long !== undefined && long !== name ? `${name} (${long})` : name
  }
  if (/^-[A-Za-z]$/.test(given)) {
    const other = given === given.toLowerCase() ? given.toUpperCase() : given.toLowerCase()
    if (all.includes(other)) return describe(other)
    const long = all.find((name) => name.startsWith("--" + given.slice(1).toLowerCase()))
    return long === undefined ? undefined : describe(long)
  }
  return closestName(given, all.filter((name) => name.startsWith("--")))
}

const unknown = (flag: string, specs: ReadonlyArray<FlagSpec>, command: string | undefined) => {
  const suggestion = closest(flag, specs)
  const help = command === undefined ? "volley --help" : `volley ${command} --help`
  return fail(
    `unknown option '${flag}'${command === undefined ? "" : ` for ${command}`}` +
      `${suggestion === undefined ? "" : `; did you mean ${suggestion}?`} (${help} lists the options)`
  )
}

/** Checks and normalises one command's words (the ones after its name). */
const commandWords = (
  command: string,
  words: ReadonlyArray<string>,
  own: ReadonlyArray<FlagSpec>
): Either.Either<ArgvPlan, UsageError> => {
  const specs = [...own, ...builtIn]
  const byName = new Map<string, FlagSpec>()
  for (const spec of specs) for (const name of spec.names) byName.set(name, spec)
  const out: Array<string> = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === "--") {
      out.push(...words.slice(i))
      break
    }
    if (helpFlags.has(word)) {
      // curl users reach for -h to mean -H: a header after it is not a request for help.
      const next = words[i + 1]
      if (word === "-h" && next !== undefined && /^[\w-]+:/.test(next)) {
        return fail(`-h is --help; for a header write -H '${next.split(":")[0]}: …'`)
      }
      return Either.right({ _tag: "Help", command })
    }
    if (word === "-" || !word.startsWith("-")) {
      out.push(word)
      continue
    }
    const valueOf = (spec: FlagSpec, attached: string | undefined): Either.Either<string, UsageError> => {
      if (attached !== undefined) return Either.right(attached)
      const next = words[i + 1]
      if (next === undefined) return fail(`${spec.names.at(-1)} needs a value`)
      i++
      return Either.right(next)
    }
    if (word.startsWith("--")) {
      const eq = word.indexOf("=")
      const flag = eq > 0 ? word.slice(0, eq) : word
      const spec = byName.get(flag)
      if (spec === undefined) return unknown(flag, specs, command)
      if (!spec.takesValue) {
        if (eq > 0) return fail(`${flag} takes no value (got '${word.slice(eq + 1)}')`)
        out.push(flag)
        continue
      }
      const value = valueOf(spec, eq > 0 ? word.slice(eq + 1) : undefined)
      if (Either.isLeft(value)) return Either.left(value.left)
      out.push(flag, value.right)
      continue
    }
    // A short flag: `-c 5`, `-c5`, `-XPOST`, or a cluster of switches.
    const flag = word.slice(0, 2)
    const spec = byName.get(flag)
    if (spec === undefined) return unknown(flag, specs, command)
    if (spec.takesValue) {
      const value = valueOf(spec, word.length > 2 ? word.slice(2) : undefined)
      if (Either.isLeft(value)) return Either.left(value.left)
      out.push(flag, value.right)
      continue
    }
    for (const letter of word.slice(1)) {
      const each = byName.get("-" + letter)
      if (each === undefined) return unknown("-" + letter, specs, command)
      if (each.takesValue) return fail(`-${letter} needs a value and cannot be grouped with other flags in '${word}'`)
      out.push("-" + letter)
    }
  }
  return Either.right({ _tag: "Run", args: [command, ...out] })
}

/**
 * Checks `words` (the command line without `node` and the script) against the commands' flags;
 * `commands` maps each subcommand's name to its flags.
 */
export const planArgv = (
  words: ReadonlyArray<string>,
  commands: Readonly<Record<string, ReadonlyArray<FlagSpec>>>
): Either.Either<ArgvPlan, UsageError> => {
  const first = words[0]
  if (first === undefined || helpFlags.has(first)) return Either.right({ _tag: "Help", command: undefined })
  if (first.startsWith("-")) {
    const spec = builtIn.find((s) => s.names.includes(first.split("=")[0]!))
    if (spec === undefined) return unknown(first, builtIn, undefined)
    return Either.right({ _tag: "Run", args: words })
  }
  const own = commands[first]
  if (own === undefined) {
    const names = Object.keys(commands)
    const near = closestName(first, names)
    return fail(
      `unknown command '${first}'${near === undefined ? "" : `; did you mean '${near}'?`}` +
        ` (commands: ${names.join(", ")})`
    )
  }
  return commandWords(first, words.slice(1), own)
}
