import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeResponseBody } from "../../src/domain/ResponseBody.js"
import { regexExtractor } from "../../src/extract/RegexMatch.js"

const text = makeResponseBody("<pre class=\"data\">12\n34\n56</pre>", "text/html", false)

describe("regexExtractor", () => {
  it.effect("named groups become an object; --match-all lists every match", () =>
    Effect.gen(function*() {
      expect(yield* (yield* regexExtractor("(?<n>\\d+)")).apply(text, "u")).toEqual({ n: "12" })
      expect(yield* (yield* regexExtractor("(?<n>\\d+)", { all: true })).apply(text, "u")).toEqual([
        { n: "12" },
        { n: "34" },
        { n: "56" }
      ])
    }))
  it.effect("one group is its string, several an array, none the whole match", () =>
    Effect.gen(function*() {
      expect(yield* (yield* regexExtractor("<pre[^>]*>([\\s\\S]*?)</pre>")).apply(text, "u")).toBe("12\n34\n56")
      expect(yield* (yield* regexExtractor("(\\d)(\\d)")).apply(text, "u")).toEqual(["1", "2"])
      expect(yield* (yield* regexExtractor("\\d+", { all: true })).apply(text, "u")).toEqual(["12", "34", "56"])
    }))
  it.effect("empty matches cannot loop forever", () =>
    Effect.gen(function*() {
      const values = yield* (yield* regexExtractor("x*", { all: true })).apply(
        makeResponseBody("ab", undefined, false),
        "u"
      )
      expect(values).toEqual(["", "", ""])
    }))
  it.effect("no match is an ExtractError; an invalid pattern an InvalidExpression", () =>
    Effect.gen(function*() {
      const miss = yield* Effect.flip((yield* regexExtractor("zzz")).apply(text, "u"))
      expect(miss.message).toBe("pattern 'zzz' matched nothing")
      const bad = yield* Effect.flip(regexExtractor("("))
      expect(bad).toMatchObject({ _tag: "InvalidExpression", language: "regex", source: "(" })
      expect(bad.message).toMatch(/^invalid regular expression '\('/)
    }))
})
