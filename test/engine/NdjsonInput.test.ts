import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { ndjsonInputRequests, parseNdjsonLine } from "../../src/engine/Input.js"

describe("NDJSON input", () => {
  it("a line is one request: method, headers, body; json serialised with its content type", () => {
    expect(parseNdjsonLine(`{"url":"http://a/1"}`, 1)).toEqual({ request: { url: "http://a/1" } })
    expect(parseNdjsonLine(`{"url":"http://a/1","method":"put","body":"x","id":7}`, 1)).toEqual({
      request: { url: "http://a/1", method: "PUT", body: "x" },
      id: 7
    })
    expect(parseNdjsonLine(`{"url":"http://a/1","json":{"n":1},"id":"k"}`, 1)).toEqual({
      request: {
        url: "http://a/1",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{\"n\":1}"
      },
      id: "k"
    })
    expect(parseNdjsonLine(`{"url":"http://a/1","json":[1],"headers":{"Content-Type":"application/x"}}`, 1))
      .toEqual({
        request: { url: "http://a/1", method: "POST", headers: { "Content-Type": "application/x" }, body: "[1]" }
      })
  })

  it("json goes out with its numbers as written: big integers and long decimals not rounded", () => {
    const line = `{"url":"http://a/1","json":{"big":12345678901234567890,"pi":3.14159265358979323846,"n":2}}`
    expect(parseNdjsonLine(line, 1).request.body).toBe(
      `{"big":12345678901234567890,"pi":3.14159265358979323846,"n":2}`
    )
  })

  it("a line nested deeper than the JSON depth limit is refused, not parsed", () => {
    const deep = `{"url":"http://a","json":${"[".repeat(600)}${"]".repeat(600)}}`
    expect(parseNdjsonLine(deep, 2).invalid?.message).toBe("input line 2: nested deeper than 512 levels")
  })

  it("a bad line is an InvalidInputLine naming the line", () => {
    const message = (text: string) => parseNdjsonLine(text, 4).invalid?.message
    expect(message("{nope")).toMatch(/^input line 4: not JSON/)
    expect(message(`{"method":"GET"}`)).toMatch(/^input line 4: not a request at url: is missing/)
    expect(message(`{"url":"http://a","methd":"GET"}`)).toMatch(/^input line 4: not a request at methd/)
    expect(message(`{"url":"http://a","body":"x","json":1}`)).toBe("input line 4: give \"body\" or \"json\", not both")
    expect(message(`{"url":"http://a","method":"GE T"}`)).toMatch(/not an HTTP method/)
    expect(parseNdjsonLine("{nope", 4).invalid).toMatchObject({ _tag: "InvalidInputLine", line: 4 })
  })

  it.effect("arguments expand ranges, lines do not; numbering goes on; line numbers count skipped lines", () =>
    Effect.gen(function*() {
      const file = Stream.make(`# requests\n{"url":"http://b/{1..2}"}\n\nbad\n`, `{"url":"http://c","id":1}`)
      const inputs = Chunk.toArray(yield* Stream.runCollect(ndjsonInputRequests(["http://a/{1..2}"], file)))
      expect(
        inputs.map((i) => [i.index, i.request.url, i.invalid?._tag === "InvalidInputLine" ? i.invalid.line : undefined])
      ).toEqual([
        [0, "http://a/1", undefined],
        [1, "http://a/2", undefined],
        [2, "http://b/{1..2}", undefined],
        [3, "", 4],
        [4, "http://c", undefined]
      ])
      expect(inputs[4]!.id).toBe(1)
    }))
})
