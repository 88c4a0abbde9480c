import { describe, expect, it } from "@effect/vitest"
import { helpText } from "../../src/cli/Cli.js"
import { fetchHelp } from "../../src/cli/FetchCommand.js"

describe("help", () => {
  const fetch = helpText("fetch")

  it("lists every flag of fetch once, one line each, without @effect/cli's boilerplate", () => {
    expect(fetch).toMatch(/^volley fetch: /)
    expect(fetch).toContain("Usage: volley fetch [URL ...] [options]")
    expect(fetch).not.toMatch(/user-defined piece of text|This setting is optional|--wizard/i)
    const flagLines = fetch.split("\n").filter((line) => /^ {2}(-\w, |\s{4})--/.test(line))
    const longNames = flagLines.map((line) => /--[\w-]+/.exec(line)![0])
    expect(new Set(longNames).size).toBe(longNames.length)
    expect(longNames).toContain("--concurrency")
    expect(longNames).toContain("--json")
    // Every group names real flags, so the help can't silently drop one into "Other".
    expect(fetch).not.toContain("\nOther:")
    for (const [, names] of fetchHelp.groups) for (const name of names) expect(longNames).toContain(name)
  })

  it("says each default and environment variable, and gives examples", () => {
    expect(fetch).toMatch(
      /-c, --concurrency N +requests in flight at once, at most 10000 \[default 10, env VOLLEY_CONCURRENCY\]/
    )
    expect(fetch).toMatch(/--max-body SIZE .*\[default 10MiB\]/)
    expect(fetch).toMatch(/--format ndjson\|json\|csv\|junit\|har\n +.*\[default ndjson\]/)
    expect(fetch).toContain("Examples:\n  # ")
    // One line per flag: about a hundred flags, kept to one screenful of groups.
    expect(fetch.split("\n").length).toBeLessThan(110)
  })

  it("has a short top-level help naming every command", () => {
    const top = helpText(undefined)
    for (const command of ["fetch", "compare", "run", "serve", "demo"]) expect(top).toContain(`  ${command} `)
    expect(top.split("\n").every((line) => line.length <= 100)).toBe(true)
  })

  it("gives every command a usage line of its own", () => {
    for (const command of ["fetch", "run", "compare", "serve", "demo"]) {
      expect(helpText(command)).toContain(`Usage: volley ${command}`)
      // Every flag belongs to a named group.
      expect(helpText(command)).not.toContain("\nOther:")
    }
  })
})
