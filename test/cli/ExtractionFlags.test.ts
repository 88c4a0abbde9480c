import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { buildExtractor } from "../../src/cli/ExtractionFlags.js"
import { makeResponseBody } from "../../src/domain/ResponseBody.js"
import { schemaExtractor } from "../../src/extract/EffectSchemaCheck.js"
import { schemaFile } from "../support/TempFiles.js"

const facts = makeResponseBody(
  JSON.stringify({ data: [{ fact: "Cats purr.", length: 10 }] }),
  "application/json",
  false
)
const plain = makeResponseBody("Too many requests. Slow down!", "text/plain", true)

describe("buildExtractor", () => {
  it.scoped("a JSON Schema failure names the first failing path and the expected type", () =>
    Effect.gen(function*() {
      const path = yield* schemaFile({
        type: "object",
        properties: { data: { type: "array", items: { type: "object", properties: { length: { type: "string" } } } } }
      })
      const extractor = (yield* buildExtractor({ schema: path }))!
      const error = yield* Effect.flip(extractor.apply(facts, "http://u/"))
      expect(error._tag).toBe("SchemaError")
      expect(error.message).toBe(`body does not fit ${path} at /data/0/length: must be string`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("the schema can check the extracted value; a plain-text body is a DecodeError", () =>
    Effect.gen(function*() {
      const path = yield* schemaFile({ type: "integer", minimum: 1 })
      const extractor = (yield* buildExtractor({ extract: "data[0].length", schema: path, schemaOn: "value" }))!
      expect(yield* extractor.apply(facts, "u")).toBe(10)
      const error = yield* Effect.flip(extractor.apply(plain, "u"))
      expect(error._tag).toBe("DecodeError")
      expect(error.message).toContain("Too many requests")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("no flags is no extractor; --select/--match with their options build the right extractor", () =>
    Effect.gen(function*() {
      expect(yield* buildExtractor({})).toBeUndefined()
      const page = makeResponseBody(
        `<html><body><pre class="data">12\n34\n56</pre><a class="more" href="/n?c=5">more</a></body></html>`,
        "text/html",
        false
      )
      const select = (yield* buildExtractor({ select: "pre.data" }))!
      expect(yield* select.apply(page, "u")).toBe("12\n34\n56")
      const attr = (yield* buildExtractor({ select: "a.more", selectAttr: "href" }))!
      expect(yield* attr.apply(page, "u")).toBe("/n?c=5")
      const match = (yield* buildExtractor({ match: "(?<n>\\d+)", matchAll: true }))!
      const pre = makeResponseBody("12\n34\n56", "text/plain", false)
      expect(yield* match.apply(pre, "u")).toEqual([{ n: "12" }, { n: "34" }, { n: "56" }])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("bad combinations and bad schema files are UsageErrors", () =>
    Effect.gen(function*() {
      const message = (flags: Parameters<typeof buildExtractor>[0]) =>
        buildExtractor(flags).pipe(Effect.flip, Effect.map((e) => e.message))
      expect(yield* message({ extract: "a", select: "p" })).toBe("use only one of --extract, --select, --match")
      expect(yield* message({ selectAttr: "href" })).toBe("--select-attr needs --select")
      expect(yield* message({ matchAll: true })).toBe("--match-all needs --match")
      expect(yield* message({ select: "p", match: "x" })).toBe("use only one of --extract, --select, --match")
      expect(yield* message({ schemaOn: "value" })).toBe("--schema-on needs --schema")
      const anySchema = yield* schemaFile({})
      expect(yield* message({ schema: anySchema, schemaOn: "value" })).toBe(
        "--schema-on value needs --extract, --select or --match"
      )
      expect(yield* message({ select: "p[" })).toMatch(/^--select: invalid CSS selector 'p\['/)
      expect(yield* message({ match: "(" })).toMatch(/^--match: invalid regular expression '\('/)
      expect(yield* message({ schema: "/no/such.json" })).toBe("--schema /no/such.json: cannot read the file")
      const notJson = yield* schemaFile("{oops")
      expect(yield* message({ schema: notJson })).toMatch(/^--schema .*: not JSON/)
      const notSchema = yield* schemaFile({ type: "nonsense" })
      expect(yield* message({ schema: notSchema })).toMatch(/^--schema .*: not a valid JSON Schema/)
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("schemaExtractor (Effect Schema)", () => {
  it.effect("gives the typed value, or a SchemaError with the path", () =>
    Effect.gen(function*() {
      const Facts = Schema.Struct({ data: Schema.Array(Schema.Struct({ fact: Schema.String, length: Schema.Number })) })
      const typed = yield* (yield* schemaExtractor(Facts)).apply(facts, "u")
      // The value is typed by the schema: no cast needed to read it.
      expect(typed.data[0]?.fact).toBe("Cats purr.")
      expect(typed).toEqual({ data: [{ fact: "Cats purr.", length: 10 }] })
      const Wrong = Schema.Struct({ data: Schema.Array(Schema.Struct({ length: Schema.String })) })
      const error = yield* Effect.flip((yield* schemaExtractor(Wrong)).apply(facts, "u"))
      expect(error._tag).toBe("SchemaError")
      expect(error.message).toMatch(/^at \/data\/0\/length: Expected string, actual 10/)
    }))
})
