import { describe, expect, it } from "@effect/vitest"
import { isLosslessNumber } from "lossless-json"
import {
  jsonDepthExceeds,
  maxJsonDepthLimit,
  oneLineJson,
  parseExactJson,
  stringifyJson
} from "../../src/domain/ExactJson.js"

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

describe("ExactJson", () => {
  it("depth: counts arrays and objects, not brackets inside strings", () => {
    expect(jsonDepthExceeds(nested(10), 10)).toBe(false)
    expect(jsonDepthExceeds(nested(11), 10)).toBe(true)
    expect(jsonDepthExceeds(`{"a":{"b":[${"\"[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[\""}]}}`, 5)).toBe(false)
    expect(jsonDepthExceeds(nested(200_000), 512)).toBe(true)
  })

  it("a 2^63 id and a long decimal are kept as sent; safe numbers stay numbers", () => {
    const text = `{"id":9223372036854775808,"pi":3.14159265358979323846,"n":42,"x":1.5}`
    const parsed = parseExactJson(text)!
    expect(parsed.exact).toBe(true)
    const value = parsed.value as Record<string, unknown>
    expect(isLosslessNumber(value.id)).toBe(true)
    expect(String(value.id)).toBe("9223372036854775808")
    expect(value.n).toBe(42)
    expect(stringifyJson(value)).toBe(text)
    // A plain JSON.stringify keeps the digits too, as a string.
    expect(JSON.stringify({ id: value.id })).toBe(`{"id":"9223372036854775808"}`)
  })

  it("1 followed by 5,000,000 zeros is not turned into null", () => {
    const huge = "1" + "0".repeat(5_000_000)
    const parsed = parseExactJson(`[${huge}]`)!
    expect(stringifyJson(parsed.value)).toBe(`[${huge}]`)
  })

  it("ordinary bodies take the native parse", () => {
    expect(parseExactJson(`{"a":[1,2,"x"]}`)).toEqual({ value: { a: [1, 2, "x"] }, exact: false })
    expect(parseExactJson("not json")).toBeUndefined()
  })

  it("the exact parser and the serialiser hold at the depth limit", () => {
    const deep = `${"[".repeat(maxJsonDepthLimit)}12345678901234567890${"]".repeat(maxJsonDepthLimit)}`
    const parsed = parseExactJson(deep)!
    expect(parsed.exact).toBe(true)
    expect(stringifyJson(parsed.value)).toBe(deep)
  })

  it("one line: line breaks between tokens go, the rest stays byte for byte", () => {
    expect(oneLineJson(" {\n  \"a\": \"x\\ny\",\r\n  \"b\": 1.10\n}\n")).toBe("{  \"a\": \"x\\ny\",  \"b\": 1.10}")
    expect(oneLineJson("[1]")).toBe("[1]")
  })
})
