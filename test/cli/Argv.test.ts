import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { type FlagSpec, planArgv } from "../../src/cli/Argv.js"

const fetchFlags: ReadonlyArray<FlagSpec> = [
  { names: ["-c", "--concurrency"], takesValue: true },
  { names: ["-X", "--method"], takesValue: true },
  { names: ["-H", "--header"], takesValue: true },
  { names: ["-e", "--extract"], takesValue: true },
  { names: ["-I", "--head"], takesValue: false },
  { names: ["-L", "--location"], takesValue: false },
  { names: ["--proxy", "-x"], takesValue: true },
  { names: ["--fail-fast"], takesValue: false },
  { names: ["--max-body"], takesValue: true },
  { names: ["--max-redirects"], takesValue: true }
]
const commands = { fetch: fetchFlags, run: [{ names: ["--var"], takesValue: true }] }

const args = (...words: Array<string>) => {
  const plan = Either.getOrThrow(planArgv(words, commands))
  return plan._tag === "Run" ? plan.args : plan
}
const error = (...words: Array<string>) =>
  Either.match(planArgv(words, commands), { onLeft: (e) => e.message, onRight: (p) => JSON.stringify(p) })

describe("planArgv", () => {
  it("splits attached short values and --flag=value into separate words", () => {
    expect(args("fetch", "-XPOST", "-c5", "-HAccept: x", "u")).toEqual([
      "fetch",
      "-X",
      "POST",
      "-c",
      "5",
      "-H",
      "Accept: x",
      "u"
    ])
    expect(args("fetch", "--concurrency=7", "--extract=a=b", "u")).toEqual([
      "fetch",
      "--concurrency",
      "7",
      "--extract",
      "a=b",
      "u"
    ])
  })

  it("takes the next word as a flag's value even when it starts with a dash", () => {
    expect(args("fetch", "-e", "-x", "u")).toEqual(["fetch", "-e", "-x", "u"])
  })

  it("expands a cluster of switches and refuses a value flag inside one", () => {
    expect(args("fetch", "-IL", "u")).toEqual(["fetch", "-I", "-L", "u"])
    expect(error("fetch", "-Ic", "u")).toBe("-c needs a value and cannot be grouped with other flags in '-Ic'")
  })

  it("names an unknown flag and the closest real one; its value is never swallowed", () => {
    expect(error("fetch", "-O", "foo", "u")).toBe(
      "unknown option '-O' for fetch (volley fetch --help lists the options)"
    )
    expect(error("fetch", "-h2", "u")).toMatch(/^unknown option '-h' for fetch; did you mean -H \(--header\)\?/)
    expect(error("fetch", "-h", "X: 1", "u")).toBe("-h is --help; for a header write -H 'X: …'")
    expect(error("fetch", "-E", "q", "u")).toBe(
      "unknown option '-E' for fetch; did you mean -e (--extract)? (volley fetch --help lists the options)"
    )
    expect(error("fetch", "--concurrenc", "3", "u")).toMatch(/did you mean --concurrency\?/)
    expect(error("fetch", "--fail-fats", "u")).toMatch(/did you mean --fail-fast\?/)
    expect(error("fetch", "--max", "u")).toBe(
      "unknown option '--max' for fetch (volley fetch --help lists the options)"
    )
  })

  it("refuses a missing value and a value given to a switch", () => {
    expect(error("fetch", "u", "-c")).toBe("--concurrency needs a value")
    expect(error("fetch", "--fail-fast=yes", "u")).toBe("--fail-fast takes no value (got 'yes')")
  })

  it("passes everything after -- as arguments", () => {
    expect(args("fetch", "--", "-weird", "--x")).toEqual(["fetch", "--", "-weird", "--x"])
  })

  it("asks for help with -h or --help anywhere in a command, or with no words at all", () => {
    expect(args("fetch", "u", "-h")).toEqual({ _tag: "Help", command: "fetch" })
    expect(args("run", "--help")).toEqual({ _tag: "Help", command: "run" })
    expect(args()).toEqual({ _tag: "Help", command: undefined })
    expect(args("--help")).toEqual({ _tag: "Help", command: undefined })
  })

  it("suggests the closest command and keeps --version", () => {
    expect(error("fetc", "u")).toBe("unknown command 'fetc'; did you mean 'fetch'? (commands: fetch, run)")
    expect(error("zzz")).toBe("unknown command 'zzz' (commands: fetch, run)")
    expect(args("--version")).toEqual(["--version"])
    expect(error("--wizard")).toBe("unknown option '--wizard' (volley --help lists the options)")
  })
})
