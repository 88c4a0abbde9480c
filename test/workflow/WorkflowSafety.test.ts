/**
 * Values from earlier responses are data: an unsafe one fails its own item's record (nothing
 * sent), the other items go on.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { Fetcher } from "../../src/http/Fetcher.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"
import * as Workflow from "../../src/workflow/Workflow.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"

const hostile = () =>
  TestHttpClient.makeWithTraffic(({ url }) =>
    url.pathname === "/ids"
      ? { json: ["7", "../admin?x=1#", "..", "ok\r\nX-Injected: 1"] }
      : url.pathname === "/next"
      ? { json: { next: "javascript:alert(1)" } }
      : { json: { path: url.pathname + url.search } }
  )

const run = (workflow: Workflow.Workflow, fake: ReturnType<typeof hostile>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(runWorkflowSteps(workflow))
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))

describe("workflow templates and hostile values", () => {
  it.effect("path values are encoded, . and .. refused per item, CR/LF in a header fails that item", () =>
    Effect.gen(function*() {
      const fake = hostile()
      const workflow = yield* Workflow.make({
        vars: { base: "http://api.test" },
        steps: {
          ids: Workflow.request("{{ vars.base }}/ids"),
          each: Workflow.forEach("ids.body", {
            url: "{{ vars.base }}/users/{{ item }}",
            headers: { "x-id": "{{ item }}" }
          })
        }
      })
      const result = yield* run(workflow, fake)
      const records = result.steps["each"]!.records as ReadonlyArray<{ ok: boolean; error?: { _tag: string } }>
      expect(records.map((r) => r.ok ? "ok" : r.error!._tag)).toEqual(["ok", "ok", "InvalidUrl", "InvalidRequest"])
      expect(records[1]).toMatchObject({ body: { path: "/users/..%2Fadmin%3Fx%3D1%23" } })
      // Nothing was sent for the refused items.
      expect(fake.traffic().requests.map((r) => new URL(r.url).pathname)).toEqual([
        "/ids",
        "/users/7",
        "/users/..%2Fadmin%3Fx%3D1%23"
      ])
    }))

  it.effect("a whole-URL value must be http(s)", () =>
    Effect.gen(function*() {
      const fake = hostile()
      const workflow = yield* Workflow.make({
        steps: { page: Workflow.request("http://api.test/next"), follow: Workflow.request("{{ page.body.next }}") }
      })
      const result = yield* run(workflow, fake)
      expect(result.steps["follow"]).toMatchObject({ status: "failed", failed: 1 })
      expect(result.steps["follow"]!.records).toMatchObject({
        ok: false,
        attempts: 0,
        error: { _tag: "InvalidUrl", message: expect.stringContaining("not an http(s) URL") }
      })
      expect(fake.traffic().requests).toHaveLength(1)
    }))
})
