import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeResponseBody } from "../../src/domain/ResponseBody.js"
import { cssExtractor } from "../../src/extract/CssSelect.js"

const page = makeResponseBody(
  `<html><body><pre class="data">12\n34\n56\n</pre><a class="more" href="/n?c=5">more</a><a class="more" href="/n?c=9">x</a></body></html>`,
  "text/html",
  false
)

describe("cssExtractor", () => {
  it.effect("the text of one match, trimmed", () =>
    Effect.gen(function*() {
      const extractor = yield* cssExtractor("pre.data")
      expect(yield* extractor.apply(page, "u")).toBe("12\n34\n56")
    }))
  it.effect("several matches give an array; attributes with attr", () =>
    Effect.gen(function*() {
      expect(yield* (yield* cssExtractor("a.more")).apply(page, "u")).toEqual(["more", "x"])
      expect(yield* (yield* cssExtractor("a.more", { attr: "href" })).apply(page, "u")).toEqual(["/n?c=5", "/n?c=9"])
    }))
  it.effect("one attribute match is a string; elements without the attribute are skipped", () =>
    Effect.gen(function*() {
      const small = makeResponseBody(
        `<html><body><pre class="data">12\n34\n56</pre><a class="more" href="/n?c=5">more</a></body></html>`,
        "text/html",
        false
      )
      const extractor = yield* cssExtractor("a.more", { attr: "href" })
      expect(extractor.needsJson).toBe(false)
      expect(yield* extractor.apply(small, "u")).toBe("/n?c=5")
      const error = yield* Effect.flip((yield* cssExtractor("pre.data", { attr: "href" })).apply(small, "u"))
      expect(error.message).toBe("selector 'pre.data' with attribute 'href' matched nothing")
    }))
  it.effect("malformed HTML still parses", () =>
    Effect.gen(function*() {
      const broken = makeResponseBody(`<div><p class="x">one<p class="x">two</div`, "text/html", false)
      expect(yield* (yield* cssExtractor("p.x")).apply(broken, "u")).toEqual(["one", "two"])
    }))
  it.effect("no match is an ExtractError naming the selector", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* cssExtractor("table td")).apply(page, "http://u/"))
      expect(error._tag).toBe("ExtractError")
      expect(error.message).toBe("selector 'table td' matched nothing")
    }))
  it.effect("an invalid selector is refused before any request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(cssExtractor("p["))
      expect(error._tag).toBe("UsageError")
      expect(error.message).toMatch(/^--select: invalid CSS selector 'p\['/)
    }))
})
