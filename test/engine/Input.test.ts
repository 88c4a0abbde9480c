import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { inputRequests } from "../../src/engine/Input.js"

describe("Input", () => {
  it.effect("numbers arguments then file lines, skipping blanks and comments, expanding ranges", () =>
    Effect.gen(function*() {
      const file = Stream.make("# a comment\nhttp://b/{1..2}\n\n", "  http://c/x  \n", "http://d/last")
      const requests = yield* Stream.runCollect(inputRequests(["http://a/0"], file))
      expect(Chunk.toArray(requests)).toEqual([
        { index: 0, request: { url: "http://a/0" } },
        { index: 1, request: { url: "http://b/1" } },
        { index: 2, request: { url: "http://b/2" } },
        { index: 3, request: { url: "http://c/x" } },
        { index: 4, request: { url: "http://d/last" } }
      ])
    }))

  it.effect("splits lines across chunk boundaries and handles CRLF", () =>
    Effect.gen(function*() {
      const file = Stream.make("http://a/1\r\nhttp://a", "/2\r\n")
      const requests = yield* Stream.runCollect(inputRequests([], file))
      expect(Chunk.toArray(requests).map((r) => r.request.url)).toEqual(["http://a/1", "http://a/2"])
    }))
})
