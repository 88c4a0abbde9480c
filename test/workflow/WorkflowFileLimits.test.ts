/**
 * Hostile workflow files are set-up errors naming the file (and line), never a crash: alias
 * bombs, documents nested deeper than the parser can go, files too large.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { parseWorkflow, workflowLimits } from "../../src/workflow/WorkflowFile.js"
import { runInProcess } from "../support/InProcessCli.js"

const problem = (text: string) => parseWorkflow(text, "wf.yaml").pipe(Effect.flip, Effect.map((e) => e.message))

/** The billion laughs, in YAML: each level repeats the one before nine times. */
const aliasBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
steps:
  x:
    request: [*e,*e,*e,*e,*e,*e,*e,*e,*e]
`

describe("workflow file limits", () => {
  it.effect("an alias bomb names the file and the first alias's line", () =>
    Effect.gen(function*() {
      expect(yield* problem(aliasBomb)).toBe(
        "wf.yaml: YAML aliases expand too much (more than 100: an alias bomb?) (line 2)"
      )
    }))

  it.effect("flow collections 100,000 deep (YAML or JSON), block nesting past 256 columns", () =>
    Effect.gen(function*() {
      expect(yield* problem(`{"steps": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`)).toBe(
        "wf.yaml: nested too deeply: more than 64 nested [ ] or { } (line 1)"
      )
      let block = "steps:\n"
      for (let i = 0; i < 300; i++) block += " ".repeat(i + 1) + `a${i}:\n`
      expect(yield* problem(block)).toBe("wf.yaml: nested too deeply: indented more than 256 columns (line 258)")
      // Brackets in quotes and comments do not count.
      const quoted = `steps:\n  a:\n    request: "http://x/${"[".repeat(100)}" # ${"{".repeat(100)}\n`
      expect(yield* Effect.either(parseWorkflow(quoted, "wf.yaml"))).toMatchObject({ _tag: "Right" })
    }))

  it.effect("a file past the size limit", () =>
    Effect.gen(function*() {
      expect(yield* problem("# " + "x".repeat(workflowLimits.maxLength))).toBe(
        "wf.yaml: too large for a workflow file (1.0 MiB; at most 1 MiB)"
      )
    }))
})

layer(NodeContext.layer, { excludeTestServices: true })("volley run on hostile files (in process)", (it) => {
  it.scoped(
    "an alias bomb and a deep document exit 2 naming the file, not an internal error",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        yield* fs.writeFileString(`${dir}/bomb.yaml`, aliasBomb)
        yield* fs.writeFileString(`${dir}/deep.json`, `{"steps": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`)
        const bomb = yield* runInProcess(["run", `${dir}/bomb.yaml`])
        expect(bomb.code).toBe(2)
        expect(bomb.stderr).toContain(`${dir}/bomb.yaml: YAML aliases expand too much`)
        const deep = yield* runInProcess(["run", `${dir}/deep.json`])
        expect(deep.code).toBe(2)
        expect(deep.stderr).toContain(`${dir}/deep.json: nested too deeply`)
      }),
    30_000
  )
})
