/**
 * Testing your own code that uses volley, without a network: swap the HTTP client for the test
 * kit in one line, and drive retries with TestClock. In your project, import from "volley".
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { testing, Volley } from "../src/index.js"

// The code under test: the titles of some posts, skipping the ones that failed.
const titles = (ids: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const volley = yield* Volley.Volley
    const records = yield* volley.fetchAll(ids.map((id) => `https://api.example.test/posts/${id}`), {
      fetch: { extractor: undefined }
    })
    return records.flatMap((r) => (r.ok ? [(r.body as { title: string }).title] : []))
  })

describe("titles (user code) with the volley test kit", () => {
  it.effect("retries a 503 on the backoff schedule and keeps input order", () =>
    Effect.gen(function*() {
      const api = testing.layer({
        "https://api.example.test/posts/1": { json: { title: "first" } },
        // Fails twice, then answers: volley retries it with exponential backoff.
        "https://api.example.test/posts/2": [{ status: 503 }, { status: 503 }, {
          json: { title: "second" },
          delay: "1 second"
        }],
        "https://api.example.test/posts/3": { status: 404 }
      })
      const fiber = yield* Effect.fork(
        titles([1, 2, 3]).pipe(
          Effect.provide(Volley.layerWithoutHttpClient({ backoff: "100 millis" })),
          Effect.provide(api)
        )
      )
      // Nothing really waits: the test clock moves the backoff and the delay along.
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toEqual(["first", "second"])
    }))
})
