import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeResponseBody } from "../../src/domain/ResponseBody.js"
import { compileJsonSchema, loadJsonSchema, withJsonSchema } from "../../src/extract/JsonSchemaCheck.js"
import { regexExtractor } from "../../src/extract/RegexMatch.js"
import { schemaFile } from "../support/TempFiles.js"

const facts = makeResponseBody(
  JSON.stringify({ data: [{ fact: "Cats purr.", length: 10.5 }] }),
  "application/json",
  false
)
const tooMany = makeResponseBody("Too many requests. Slow down!", "text/plain", true)
const page = makeResponseBody(
  `<html><body><pre class="data">12\n34\n56</pre><a class="more" href="/n?c=5">more</a></body></html>`,
  "text/html",
  false
)

const factsSchema = {
  type: "object",
  required: ["data"],
  properties: {
    data: { type: "array", items: { type: "object", properties: { length: { type: "integer" } } } }
  }
}

describe("loadJsonSchema + withJsonSchema", () => {
  it.scoped("a body that does not fit is a SchemaError naming the path and the expected type", () =>
    Effect.gen(function*() {
      const path = yield* schemaFile(factsSchema)
      const extractor = withJsonSchema(undefined, yield* loadJsonSchema(path), "body")
      expect(extractor.needsJson).toBe(true)
      const error = yield* Effect.flip(extractor.apply(facts, "http://u/facts"))
      expect(error._tag).toBe("SchemaError")
      if (error._tag !== "SchemaError") return
      expect(error.url).toBe("http://u/facts")
      expect(error.path).toBe("/data/0/length")
      expect(error.message).toBe(`body does not fit ${path} at /data/0/length: must be integer`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a body that fits passes; with no extractor the value stays undefined", () =>
    Effect.gen(function*() {
      const path = yield* schemaFile(factsSchema)
      const extractor = withJsonSchema(undefined, yield* loadJsonSchema(path), "body")
      const fits = makeResponseBody(JSON.stringify({ data: [{ length: 3 }] }), "application/json", false)
      expect(yield* extractor.apply(fits, "u")).toBeUndefined()
      const missing = yield* Effect.flip(extractor.apply(makeResponseBody("{}", "application/json", false), "u"))
      expect(missing.message).toBe(`body does not fit ${path} at /: must have required property 'data'`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a plain-text 'Too many requests' body checked on body is a DecodeError", () =>
    Effect.gen(function*() {
      const extractor = withJsonSchema(undefined, yield* loadJsonSchema(yield* schemaFile(factsSchema)), "body")
      const error = yield* Effect.flip(extractor.apply(tooMany, "http://u/"))
      expect(error._tag).toBe("DecodeError")
      expect(error.message).toContain("body is not JSON (text/plain)")
      expect(error.message).toContain("Too many requests")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("on value, the extracted value is checked and returned; the body need not be JSON", () =>
    Effect.gen(function*() {
      const numbers = yield* regexExtractor("(?<n>\\d+)", { all: true })
      const path = yield* schemaFile({
        type: "array",
        items: { type: "object", properties: { n: { type: "string", pattern: "^\\d{2}$" } } }
      })
      const extractor = withJsonSchema(numbers, yield* loadJsonSchema(path), "value")
      expect(extractor.needsJson).toBe(false)
      const pre = yield* regexExtractor("<pre[^>]*>([\\s\\S]*?)</pre>")
      const firstThree = withJsonSchema(pre, yield* loadJsonSchema(path), "value")
      const error = yield* Effect.flip(firstThree.apply(page, "u"))
      expect(error._tag).toBe("SchemaError")
      expect(error.message).toBe(`value does not fit ${path} at /: must be array`)
      // The page's link (`c=5`) matches too: its one digit breaks the pattern at index 3.
      const linkError = yield* Effect.flip(extractor.apply(page, "u"))
      expect(linkError.message).toBe(`value does not fit ${path} at /3/n: must match pattern "^\\d{2}$"`)
      const onlyPre = makeResponseBody("12\n34\n56", "text/plain", false)
      expect(yield* extractor.apply(onlyPre, "u")).toEqual([{ n: "12" }, { n: "34" }, { n: "56" }])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("the draft follows $schema: 2020-12 prefixItems are enforced", () =>
    Effect.gen(function*() {
      const validator = yield* compileJsonSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "array",
        prefixItems: [{ type: "string" }]
      }, "inline")
      expect(validator.check(["a", 1])).toBeUndefined()
      expect(validator.check([1])).toEqual({ path: "/0", message: "at /0: must be string" })
    }))

  it.scoped("a missing file, a non-JSON file and an invalid schema are InvalidExpressions naming the file", () =>
    Effect.gen(function*() {
      const failure = (path: string) => loadJsonSchema(path).pipe(Effect.flip)
      const missing = yield* failure("/no/such/schema.json")
      expect(missing).toMatchObject({
        _tag: "InvalidExpression",
        language: "json-schema",
        source: "/no/such/schema.json"
      })
      expect(missing.message).toBe("invalid JSON Schema '/no/such/schema.json': cannot read the file")
      const notJson = yield* schemaFile("{oops")
      expect((yield* failure(notJson)).message).toMatch(new RegExp(`^invalid JSON Schema '${notJson}': not JSON: `))
      const notSchema = yield* schemaFile({ type: "nonsense" })
      expect((yield* failure(notSchema)).reason).toMatch(/^not a valid JSON Schema: .*type/)
    }).pipe(Effect.provide(NodeContext.layer)))
})
