import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Schema, Stream, TestClock } from "effect"
import { jmespathExtractor, stepRecords, testing, Volley, Workflow } from "../src/index.js"

const api = testing.layer(({ url }) => url.pathname === "/bad" ? { status: 400 } : { json: { path: url.pathname } })
const provide = <A, E>(effect: Effect.Effect<A, E, Volley.Volley>) =>
  effect.pipe(Effect.provide(Volley.layerWithoutHttpClient({ concurrency: 4 })), Effect.provide(api))

describe("Volley service", () => {
  it.effect("fetchAll, stream and fetchOne give records in input order", () =>
    Effect.gen(function*() {
      const volley = yield* Volley.Volley
      const all = yield* volley.fetchAll(["http://t/a", "http://t/bad", {
        url: "http://t/c",
        method: "POST",
        body: "x"
      }])
      expect(all.map((r) => [r.index, r.ok])).toEqual([[0, true], [1, false], [2, true]])
      const streamed = yield* Stream.runCollect(volley.stream(Stream.make("http://t/1", "http://t/2")))
      expect(Chunk.toArray(streamed).map((r) => r.ok && r.body)).toEqual([{ path: "/1" }, { path: "/2" }])
      expect(yield* volley.fetchOne("http://t/one")).toMatchObject({ ok: true, body: { path: "/one" } })
    }).pipe(provide))

  it.effect("extract with a Schema: ok records' values are typed, a body that does not fit fails its record", () =>
    Effect.gen(function*() {
      const volley = yield* Volley.Volley
      const Path = Schema.Struct({ path: Schema.String })
      const records = yield* volley.fetchAll(["http://t/a", "http://t/bad"], { extract: Path })
      const first = records[0]!
      // `value` is typed by the schema: `.path` needs no cast.
      expect(first.ok && first.value?.path).toBe("/a")
      expect(records[1]).toMatchObject({ ok: false, error: { _tag: "StatusError" } })
      const Wrong = Schema.Struct({ path: Schema.Number })
      const [wrong] = yield* volley.fetchAll(["http://t/b"], { extract: Wrong })
      expect(wrong).toMatchObject({ ok: false, error: { _tag: "SchemaError" } })
      const [query] = yield* volley.fetchAll(["http://t/c"], { extract: yield* jmespathExtractor("path") })
      expect(query).toMatchObject({ ok: true, value: "/c" })
    }).pipe(provide))

  it.effect("runs a workflow built in TypeScript", () =>
    Effect.gen(function*() {
      const volley = yield* Volley.Volley
      const workflow = yield* Workflow.make({
        steps: { a: Workflow.request("http://t/a"), b: Workflow.request("http://t/{{+ a.body.path }}") }
      })
      const fiber = yield* Effect.fork(volley.runWorkflow(workflow))
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      expect(result.steps["b"]).toMatchObject({ ok: true, body: { path: "//a" } })
    }).pipe(provide))

  it.effect("a workflow's steps start from the layer's defaults (retries), and fan out in item order", () =>
    Effect.gen(function*() {
      const flaky = testing.makeWithTraffic(({ url }) =>
        url.pathname === "/list"
          ? { json: [3, 2, 1] }
          : url.pathname === "/down"
          ? { status: 503 }
          : { json: { n: Number(url.pathname.slice(6)) }, delay: `${Number(url.pathname.slice(6)) * 10} millis` }
      )
      const workflow = yield* Workflow.make({
        steps: {
          down: Workflow.request("http://t/down"),
          list: Workflow.request("http://t/list"),
          items: { request: "http://t/item/{{ item }}", forEach: "list.body" }
        }
      })
      const result = yield* Effect.gen(function*() {
        const volley = yield* Volley.Volley
        const fiber = yield* Effect.fork(volley.runWorkflow(workflow))
        yield* TestClock.adjust("1 minute")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(Volley.layerWithoutHttpClient({ retries: 0 })), Effect.provide(flaky.layer))
      // retries: 0 from the layer: one attempt, not volley's default four.
      expect(result.steps["down"]).toMatchObject({ ok: false, attempts: 1, status: 503 })
      // The slowest item first in the list: the records still come in item order.
      expect(stepRecords(result.steps["items"]).map((r) => (r.ok ? r.body : r.error))).toEqual([
        { n: 3 },
        { n: 2 },
        { n: 1 }
      ])
    }))

  it.effect("Workflow.make reports a bad definition as a UsageError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Workflow.make({ steps: { a: Workflow.request("http://t/{{ nope.x }}") } }))
      expect(error.message).toBe("workflow: step 'a': refers to unknown step 'nope'")
    }))
})
