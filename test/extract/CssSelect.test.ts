import { describe, expect, it } from "@effect/vitest"
import * as cheerio from "cheerio/slim"
import { Effect } from "effect"
import fc from "fast-check"
import { makeResponseBody } from "../../src/domain/ResponseBody.js"
import { cssExtractor } from "../../src/extract/CssSelect.js"
import type { Extractor } from "../../src/extract/Extractor.js"
import { malformedPages } from "../support/MalformedHtml.js"

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
      expect(error).toMatchObject({ _tag: "InvalidExpression", language: "css", source: "p[" })
      expect(error.message).toMatch(/^invalid CSS selector 'p\['/)
    }))
  // `--select TAG --select-attr NAME` is read from the parser's events, without cheerio's
  // document: it must give cheerio's answer on every page, however malformed.
  describe("a tag's attribute, streamed, agrees with cheerio", () => {
    const viaCheerio = (html: string, tag: string, attr: string) => {
      const $ = cheerio.load(html)
      return $(tag).toArray().flatMap((element) => {
        const value = $(element).attr(attr)
        return value === undefined ? [] : [value]
      })
    }
    // Compiled once (the entity decoder is loaded then), applied synchronously to each page.
    const compile = (tag: string, attr: string) => Effect.runPromise(cssExtractor(tag, { attr }))
    const streamed = (extractor: Extractor<string | Array<string>>, html: string) =>
      Effect.runSync(
        extractor.apply(makeResponseBody(html, "text/html", false), "u").pipe(
          Effect.map((value) => (Array.isArray(value) ? value : [value])),
          Effect.catchTag("ExtractError", () => Effect.succeed([]))
        )
      )
    const pages = malformedPages
    it("on hand-picked pages", async () => {
      for (
        const [tag, attr] of [["a", "href"], ["a", "HREF"], ["a", "rel"], ["img", "src"], ["p", "id"], [
          "a",
          "data-x"
        ], ["a", "xlink:href"]] as const
      ) {
        const extractor = await compile(tag, attr)
        for (const html of pages) {
          expect(streamed(extractor, html)).toEqual(viaCheerio(html, tag, attr))
        }
      }
    })
    it("on generated pages", async () => {
      const links = await compile("a", "href")
      const images = await compile("img", "src")
      const token = fc.constantFrom(
        "<a href=\"/1\">",
        "<A HREF=/2>",
        "<a>",
        "</a>",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<br>",
        "</br>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<img src=\"/i\">",
        "<table><td>",
        "text & more ",
        "&amp;",
        "\"",
        "'",
        "<",
        ">",
        "=",
        "<a href='/3' href=\"/4\">",
        "<svg>",
        "<textarea>",
        "</textarea>",
        "<style>",
        "</style>",
        "<title>",
        "</title>",
        "<!DOCTYPE html>",
        "<?xml version=\"1.0\"?>",
        "<a/>",
        "<a href=/s/>",
        "<A Href='/5' />",
        "<a href=\"/e?x=1&copy=2&amp&lt;&#39;&#x1F600;&bogus;\">",
        "<a href=\"&notit; &notin; &AMP\">",
        "<a\thref\n=\n'/ws'>",
        "<math>",
        "</svg>"
      )
      fc.assert(
        fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
          const html = tokens.join("")
          expect(streamed(links, html)).toEqual(viaCheerio(html, "a", "href"))
          expect(streamed(images, html)).toEqual(viaCheerio(html, "img", "src"))
        }),
        { numRuns: 2000 }
      )
    })
  })
})
