import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { Fetcher } from "../../src/http/Fetcher.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"
import * as Workflow from "../../src/workflow/Workflow.js"
import { workflowOutput } from "../../src/workflow/WorkflowOutput.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"

/** A fake API: users, their posts (slow), a status endpoint; records when each request starts. */
const api = () => {
  const starts: Array<{ path: string; at: number }> = []
  const fake = TestHttpClient.makeWithTraffic(({ url }) =>
    Effect.map(TestClock.currentTimeMillis, (at) => {
      starts.push({ path: url.pathname, at })
      if (url.pathname === "/users") {
        return { json: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }, { id: 6 }], delay: "100 millis" }
      }
      if (url.pathname === "/users/4/posts") {
        return { status: 404, json: { error: "gone" }, delay: "100 millis" }
      }
      if (url.pathname.endsWith("/posts")) {
        return { json: [{ title: `t${url.pathname.split("/")[2]}` }], delay: "100 millis" }
      }
      if (url.pathname === "/broken") return { status: 500 }
      return { json: { fine: true }, delay: "50 millis" }
    })
  )
  return { starts, fake }
}

const run = (workflow: Workflow.Workflow, fake: ReturnType<typeof api>["fake"], failFast = false) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(runWorkflowSteps(workflow, { failFast }))
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))

describe("runWorkflowSteps", () => {
  it.effect("dependent steps wait, fan-out holds its concurrency, independent branches run beside", () =>
    Effect.gen(function*() {
      const { fake, starts } = api()
      const workflow = yield* Workflow.make({
        vars: { base: "http://api.test" },
        steps: {
          users: Workflow.request("{{ vars.base }}/users"),
          posts: Workflow.forEach("users.body[?id != `4`]", "{{ vars.base }}/users/{{ item.id }}/posts", {
            concurrency: 2,
            extract: "[0].title"
          }),
          status: Workflow.request("{{ vars.base }}/status")
        }
      })
      const result = yield* run(workflow, fake)
      expect(result.steps["users"]!.status).toBe("ok")
      expect(result.steps["posts"]).toMatchObject({ status: "ok", ok: 5, failed: 0 })
      const posts = workflowOutput(result).steps["posts"] as ReadonlyArray<{ index: number; value: string }>
      expect(posts.map((r) => r.value)).toEqual(["t1", "t2", "t3", "t5", "t6"])
      // posts start only after users answered (t=100); status started at t=0 beside users.
      expect(starts.filter((s) => s.path.endsWith("/posts")).every((s) => s.at >= 100)).toBe(true)
      expect(starts.find((s) => s.path === "/status")!.at).toBe(0)
      // 5 posts, 2 at a time: 3 rounds of 100 ms.
      expect(fake.traffic().maxInFlight).toBe(2)
      expect(result.steps["posts"]!.ms).toBe(300)
    }))

  it.effect("a failed step skips its dependents without sending; other branches go on", () =>
    Effect.gen(function*() {
      const { fake, starts } = api()
      const workflow = yield* Workflow.make({
        vars: { base: "http://api.test" },
        steps: {
          users: Workflow.request("{{ vars.base }}/users"),
          posts: Workflow.forEach("users.body", "{{ vars.base }}/users/{{ item.id }}/posts"),
          titles: Workflow.request("{{ vars.base }}/echo?n={{ length(posts) }}"),
          status: Workflow.request("{{ vars.base }}/status"),
          notAList: Workflow.forEach("users.body[0]", "{{ vars.base }}/x/{{ item }}")
        }
      })
      const result = yield* run(workflow, fake)
      expect(result.steps["posts"]).toMatchObject({
        status: "failed",
        ok: 5,
        failed: 1,
        reason: "1 of 6 requests failed"
      })
      expect(result.steps["titles"]).toMatchObject({ status: "skipped", reason: "depends on 'posts', which failed" })
      expect(result.steps["status"]!.status).toBe("ok")
      expect(result.steps["notAList"]).toMatchObject({
        status: "failed",
        reason: "forEach 'users.body[0]' gave object, not an array"
      })
      expect(starts.some((s) => s.path === "/echo")).toBe(false)
    }))

  it.effect("failFast stops the other steps", () =>
    Effect.gen(function*() {
      const { fake, starts } = api()
      const workflow = yield* Workflow.make({
        steps: {
          broken: Workflow.request("http://api.test/broken", { retries: 0 }),
          slow: Workflow.request("http://api.test/users"),
          after: Workflow.request("http://api.test/status", { needs: ["slow"] })
        }
      })
      const result = yield* run(workflow, fake, true)
      expect(result.steps["broken"]!.status).toBe("failed")
      expect(result.steps["after"]!.status).toBe("skipped")
      expect(result.steps["after"]!.reason).toContain("--fail-fast")
      expect(starts.some((s) => s.path === "/status")).toBe(false)
    }))
})
