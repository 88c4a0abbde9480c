import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { planWaves } from "../../src/workflow/Plan.js"
import { parseWorkflow } from "../../src/workflow/WorkflowFile.js"
import { workflowPlan } from "../../src/workflow/WorkflowReport.js"

const problem = (text: string) => parseWorkflow(text, "wf.yaml").pipe(Effect.flip, Effect.map((e) => e.message))

const valid = `name: demo
vars: { base: "http://api.test" }
steps:
  users:
    request: "{{ vars.base }}/users"
  posts:
    forEach: users.body
    request: "{{ vars.base }}/users/{{ item.id }}/posts"
    concurrency: 5
  status:
    request: "{{ vars.base }}/status"
`

describe("workflow files", () => {
  it.effect("a valid file compiles into waves; --var overrides vars", () =>
    Effect.gen(function*() {
      const workflow = yield* parseWorkflow(valid, "wf.yaml", { base: "http://other" })
      expect(workflow.waves).toEqual([["users", "status"], ["posts"]])
      expect(workflow.vars).toEqual({ base: "http://other" })
      expect(workflow.steps.find((s) => s.name === "posts")).toMatchObject({ concurrency: 5, dependsOn: ["users"] })
      expect(workflowPlan(workflow)).toContain("wave 1 (2 in parallel):")
    }))

  it.effect("each invalid file gets one message naming the file, the step, the field and the line", () =>
    Effect.gen(function*() {
      expect(yield* problem("steps:\n  a: [\n")).toMatch(/^wf\.yaml: not valid YAML: .* \(line \d\)$/)
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    concurrency: -2\n")).toBe(
        "wf.yaml: step 'a' field 'concurrency': expected a positive integer (line 4)"
      )
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    timeout: soon\n")).toBe(
        "wf.yaml: step 'a' field 'timeout': expected a duration such as 500ms, 10s, 2m (line 4)"
      )
      expect(yield* problem("steps:\n  a:\n    request: \"{{ nobody.body }}/x\"\n")).toBe(
        "wf.yaml: step 'a': refers to unknown step 'nobody' (line 3)"
      )
      expect(yield* problem("steps:\n  a:\n    request: \"{{ b.body }}\"\n  b:\n    request: \"{{ a.body }}\"\n")).toBe(
        "wf.yaml: field 'steps': cycle: a -> b -> a (line 2)"
      )
      expect(yield* problem("steps:\n  a:\n    request: \"http://x/{{ item[ }}\"\n")).toMatch(
        /^wf\.yaml: step 'a' field 'request': '\{\{ item\[ \}\}' does not parse: .* \(line 3\)$/
      )
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    needs: [ghost]\n")).toBe(
        "wf.yaml: step 'a' field 'needs': unknown step 'ghost' (line 4)"
      )
      expect(yield* problem("steps:\n  a:\n    forEach: \"[\"\n    request: http://x\n")).toMatch(
        /^wf\.yaml: step 'a' field 'forEach': does not parse/
      )
      // A structure of the wrong shape says what was expected, not the schema's type printed whole.
      expect(yield* problem("steps:\n  - name: a\n    request: http://x\n")).toBe(
        "wf.yaml: field 'steps': expected a mapping of step names to steps (name: { request: … }), got a list (line 2)"
      )
      expect(yield* problem("steps:\n  a: http://x\n")).toMatch(/^wf\.yaml: step 'a': .{0,160}$/)
      expect(yield* problem("steps:\n  a:\n    needs: []\n")).toMatch(
        /^wf\.yaml: step 'a' field 'request': is missing/
      )
      // A typo'd key is named, with the key it was meant to be, not reported as a missing one.
      expect(yield* problem("steps:\n  a:\n    requst: http://x/\n")).toBe(
        "wf.yaml: step 'a': unknown key 'requst'; did you mean 'request'? " +
          "(expected one of request, forEach, needs, extract, expect, save, concurrency, timeout, retries, decompress) (line 3)"
      )
      expect(yield* problem("vars: {base: 'http://x'}\nsteps:\n  a:\n    request: '{{ vars.bse }}/y'\n")).toBe(
        "wf.yaml: step 'a' field 'request': refers to unknown variable 'vars.bse'; did you mean 'base'? " +
          "(define it under vars: or pass --var bse=VALUE) (line 4)"
      )
      expect(yield* problem("steps:\n  users:\n    request: http://x/\n  b:\n    request: '{{ usres.body }}'\n"))
        .toMatch(/step 'b': refers to unknown step 'usres'; did you mean 'users'\?/)
      expect(yield* problem("steps: {}\n")).toBe("wf.yaml: field 'steps': no steps (line 1)")
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    extract: { css: \"p[\" }\n")).toMatch(
        /^wf\.yaml: step 'a' field 'extract': invalid CSS selector 'p\['/
      )
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    extract: { xpath: \"//p\" }\n")).toMatch(
        /^wf\.yaml: step 'a' field 'extract': expected a JMESPath string, or \{ jmespath \}/
      )
    }))

  it.effect("finds dependencies in the parsed expressions: ||, lists, objects, functions, forEach", () =>
    Effect.gen(function*() {
      const workflow = yield* parseWorkflow(
        [
          "steps:",
          "  a: {request: 'http://x/a'}",
          "  b: {request: 'http://x/b'}",
          "  c: {request: 'http://x/c'}",
          "  either: {request: 'http://x/{{ a.body.id || b.body.id }}'}",
          "  list: {request: {url: 'http://x/l', body: '{{ [a.body, c.body] }}'}}",
          "  object: {request: {url: 'http://x/o', headers: {X-Ids: '{{ {first: b.status} }}'}}}",
          "  each: {forEach: 'sort_by(c.body, &name)', request: 'http://x/{{ item.name }}'}"
        ].join("\n"),
        "deps.yaml"
      )
      const dependsOn = Object.fromEntries(workflow.steps.map((step) => [step.name, [...step.dependsOn].sort()]))
      expect(dependsOn).toMatchObject({
        either: ["a", "b"],
        list: ["a", "c"],
        object: ["b"],
        each: ["c"]
      })
      expect(workflow.waves).toEqual([["a", "b", "c"], ["either", "list", "object", "each"]])
    }))

  it("plans waves and names cycles", () => {
    expect(planWaves(new Map([["a", []], ["b", ["a"]], ["c", []], ["d", ["b", "c"]]]))).toEqual(
      Either.right([["a", "c"], ["b"], ["d"]])
    )
    expect(planWaves(new Map([["a", ["c"]], ["b", ["a"]], ["c", ["b"]]]))).toEqual(
      Either.left("cycle: a -> c -> b -> a")
    )
  })
})
