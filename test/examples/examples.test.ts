/**
 * The runnable examples, run against the embedded demo API so CI proves they work.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { AppLayer, firstFacts } from "../../examples/embed-fetchAll.js"
import { tracedFetch } from "../../examples/opentelemetry.js"
import { postsOfUsers } from "../../examples/typed-workflow.js"
import { startDemoServer, stepRecords, Volley } from "../../src/index.js"

layer(NodeContext.layer, { excludeTestServices: true })("examples", (it) => {
  it.scoped("embed-fetchAll: ten facts in order", () =>
    Effect.gen(function*() {
      const server = yield* startDemoServer()
      const lines = yield* firstFacts(server.url).pipe(Effect.provide(AppLayer))
      expect(lines).toEqual(Array.from({ length: 10 }, (_, i) => `${i}: 200`))
    }))

  it.scoped("typed-workflow: every user's posts", () =>
    Effect.gen(function*() {
      const server = yield* startDemoServer()
      const result = yield* postsOfUsers(server.url).pipe(Effect.provide(Volley.layer()))
      expect(result.steps["users"]).toMatchObject({ ok: true, status: 200 })
      const posts = stepRecords(result.steps["posts"])
      expect(posts.map((record) => record.ok)).toEqual(Array.from({ length: 10 }, () => true))
      expect(posts.every((record) => record.ok && Array.isArray(record.value))).toBe(true)
    }))

  it.scoped("opentelemetry: one span per request, with status and outcome", () =>
    Effect.gen(function*() {
      const server = yield* startDemoServer()
      const { requests, spans } = yield* tracedFetch(server.url)
      const fetches = spans.filter((s) => s.name === "volley.fetch")
      expect(fetches.map((s) => [s.status, s.ok])).toEqual([[200, true], [404, false], [200, true]])
      expect(fetches[0]!.url).toBe(`${server.url}/json/1`)
      expect(spans.some((s) => s.name === "example.fetch-three")).toBe(true)
      expect(requests).toBeGreaterThanOrEqual(3)
    }))
})
