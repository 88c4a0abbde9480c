/**
 * `--help`, rendered from the commands' own option descriptors: one line per flag, grouped, with
 * its default and environment variable, then examples.
 *
 * `@effect/cli`'s renderer prints ~300 lines for `fetch` (each flag with "A user-defined piece of
 * text." and "This setting is optional."), so volley renders its own. Each flag's names and
 * placeholder come from its usage, its words from its `withDescription`; a command module only
 * adds how its flags group and a few examples. A flag missing from the groups is still listed
 * (under "other"), so nothing is ever hidden.
 *
 * @module
 */
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as Option from "effect/Option"
import { namedUsages } from "./Argv.js"

/** What a command says about itself in its help. */
export interface CommandHelp {
  readonly name: string
  readonly summary: string
  readonly usage: string
  /** Flags by group, each flag by its long name (`--timeout`). */
  readonly groups: ReadonlyArray<readonly [title: string, flags: ReadonlyArray<string>]>
  readonly examples: ReadonlyArray<readonly [comment: string, command: string]>
  readonly notes?: ReadonlyArray<string>
}

/** The descriptions `@effect/cli` writes for every flag of a kind: noise in a one-line help. */
const boilerplate = [
  /^An? (user-defined piece of text|integer|true or false value|floating point number|date|valid path)/i,
  /^This (setting|option|argument) (is optional|can be set from|may be repeated|has a default)/i,
  /^One of the following/i,
  /^A (file|directory|path)/i
]

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
  }
}

const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> => {
  switch (doc._tag) {
    case "Paragraph":
      return [spanText(doc.value)]
    case "Sequence":
      return [...paragraphs(doc.left), ...paragraphs(doc.right)]
    case "Enumeration":
      return doc.elements.flatMap(paragraphs)
    default:
      return []
  }
}

interface FlagLine {
  readonly names: ReadonlyArray<string>
  readonly placeholder: string | undefined
  readonly text: string
}

/** Each flag of `options` with its names, placeholder and own description. */
const flagLines = (options: Options.Options<unknown>): Map<string, FlagLine> => {
  const described = new Map<string, string>()
  const collect = (doc: HelpDoc.HelpDoc): void => {
    if (doc._tag === "Sequence") {
      collect(doc.left)
      return collect(doc.right)
    }
    if (doc._tag !== "DescriptionList") return
    for (const [span, body] of doc.definitions) {
      const names = spanText(span).match(/--?[A-Za-z0-9][\w-]*/g) ?? []
      const own = paragraphs(body).filter((p) => p !== "" && !boilerplate.some((re) => re.test(p)))
      // Bracketed notes (default, env) go after the words.
      const notes = own.filter((p) => p.startsWith("["))
      const words = own.filter((p) => !p.startsWith("["))
      for (const name of names) described.set(name, [...words, ...notes].join(" "))
    }
  }
  collect(Options.getHelp(options))
  const lines = new Map<string, FlagLine>()
  for (const usage of namedUsages(options)) {
    const long = usage.names.find((n) => n.startsWith("--")) ?? usage.names[0]!
    const placeholder = Option.getOrUndefined(usage.acceptedValues)
    lines.set(long, {
      names: [...usage.names.filter((n) => !n.startsWith("--")), ...usage.names.filter((n) => n.startsWith("--"))],
      placeholder: placeholder === "text" ? "TEXT" : placeholder === "integer" ? "N" : placeholder,
      text: described.get(long) ?? ""
    })
  }
  return lines
}

const column = 30

const renderLine = (line: FlagLine): string => {
  const shorts = line.names.filter((n) => !n.startsWith("--"))
  const longs = line.names.filter((n) => n.startsWith("--"))
  const names = (shorts.length > 0 ? shorts.join(", ") + ", " : "    ") + longs.join(", ")
  const left = `  ${names}${line.placeholder === undefined ? "" : " " + line.placeholder}`
  return left.length + 2 > column
    ? `${left}\n${" ".repeat(column)}${line.text}`
    : `${left.padEnd(column)}${line.text}`
}

/** The whole help of one command. */
export const renderCommandHelp = (help: CommandHelp, options: Options.Options<unknown>): string => {
  const lines = flagLines(options)
  const out: Array<string> = [`volley ${help.name}: ${help.summary}`, "", `Usage: ${help.usage}`]
  const listed = new Set<string>()
  const section = (title: string, flags: ReadonlyArray<FlagLine>) => {
    if (flags.length === 0) return
    out.push("", `${title}:`, ...flags.map(renderLine))
  }
  for (const [title, names] of help.groups) {
    const flags: Array<FlagLine> = []
    for (const name of names) {
      const line = lines.get(name)
      if (line === undefined || listed.has(name)) continue
      listed.add(name)
      flags.push(line)
    }
    section(title, flags)
  }
  section("Other", [...lines].filter(([name]) => !listed.has(name)).map(([, line]) => line))
  for (const note of help.notes ?? []) out.push("", note)
  if (help.examples.length > 0) {
    out.push("", "Examples:")
    for (const [comment, command] of help.examples) out.push(`  # ${comment}`, `  ${command}`)
  }
  return out.join("\n") + "\n"
}

/** The top-level help: the commands and how to get each one's help. */
export const renderTopHelp = (version: string, commands: ReadonlyArray<CommandHelp>): string => {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4
  return [
    `volley ${version}: fetch many HTTP resources concurrently and reliably, as typed workflows`,
    "",
    "Usage: volley <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Options:",
    `  ${"-h, --help".padEnd(width + 8)}this help; 'volley <command> --help' for a command's`,
    `  ${"--version".padEnd(width + 8)}the version`,
    "",
    "Examples:",
    "  volley demo                                   # the offline demo: a local API, timings, retries",
    "  volley fetch 'http://127.0.0.1:8080/facts/{1..100}' -c 20 -e 'data[0].fact'",
    "  volley run examples/workflows/posts-of-users.yaml",
    ""
  ].join("\n")
}
