/** Workflow steps with `expect:`: statuses instead of 2xx, assertions, and errors that name the field. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { Fetcher } from "../../src/http/Fetcher.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"
import { parseWorkflow } from "../../src/workflow/WorkflowFile.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"

const api = TestHttpClient.layer({
  "http://api.test/health": { json: { status: "degraded" } },
  "http://api.test/gone": { status: 404, json: { error: "gone" } },
  "http://api.test/items": { json: [{ id: 1 }, { id: 2 }] }
})

const runText = (text: string) =>
  Effect.gen(function*() {
    const workflow = yield* parseWorkflow(text, "wf.yaml")
    const fiber = yield* Effect.fork(runWorkflowSteps(workflow, { failFast: false }))
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(api))))

const problem = (text: string) => parseWorkflow(text, "wf.yaml").pipe(Effect.flip, Effect.map((e) => e.message))

describe("workflow expect:", () => {
  it.effect("status lists and assertions decide a step's records", () =>
    Effect.gen(function*() {
      const result = yield* runText(`steps:
  gone:
    request: http://api.test/gone
    expect: { status: [200, 404] }
  health:
    request: http://api.test/health
    expect:
      assert: "body.status == 'up'"
  items:
    request: http://api.test/items
    expect: { status: 2xx, assert: ["length(body) == \`2\`", "status == \`200\`"] }
`)
      const byName = result.steps
      expect(byName["gone"]).toMatchObject({ status: "ok", records: { ok: true, status: 404 } })
      expect(byName["health"]).toMatchObject({
        status: "failed",
        records: {
          ok: false,
          error: {
            _tag: "AssertionError",
            message: "assertion failed: body.status == 'up' (body.status is \"degraded\")"
          }
        }
      })
      expect(byName["items"]).toMatchObject({ status: "ok" })
    }))

  it.effect("a bad status list or expression names the file, the step and the field", () =>
    Effect.gen(function*() {
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    expect: { status: 2zz }\n")).toBe(
        "wf.yaml: step 'a' field 'expect': status: '2zz' is not a status code, a class such as 2xx, or a range such as 200-299 (line 4)"
      )
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    expect: { assert: 'status ==' }\n")).toMatch(
        /^wf\.yaml: step 'a' field 'expect': assert: invalid JMESPath expression 'status ==': .* \(line 4\)$/
      )
      expect(yield* problem("steps:\n  a:\n    request: http://x\n    expect: 200\n")).toBe(
        "wf.yaml: step 'a' field 'expect': expected { status, assert } (line 4)"
      )
    }))
})
