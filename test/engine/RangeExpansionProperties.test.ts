/** Property tests: any input line expands without throwing or looping, to as many URLs as counted. */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import fc from "fast-check"
import { inputRequests } from "../../src/engine/Input.js"
import { countExpansions, expandRanges, maxRangesPerUrl, validateRanges } from "../../src/engine/RangeExpansion.js"

/** Lines mixing URL text, well-formed ranges, hostile ranges and brace noise. */
const piece = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.tuple(fc.integer({ min: -3, max: 5 }), fc.integer({ min: -3, max: 5 })).map(([a, b]) => `{${a}..${b}}`),
  fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 7 }))
    .map(([a, b, s]) => `{${a}..${b}..${s}}`),
  fc.constantFrom("{", "}", "..", "{..}", "{1..}", "{-0..-0}", "{99999999999999999999..1}", "{1..1e3}", "{007..9}")
)
const line = fc.array(piece, { maxLength: 6 }).map((pieces) => "http://h.test/" + pieces.join(""))

describe("range expansion properties", () => {
  it.prop("every line expands to a finite list, as many as counted when the line is valid", [line], ([template]) => {
    const urls = [...expandRanges(template)]
    expect(urls.length).toBeGreaterThan(0)
    expect(urls.length).toBeLessThan(100_000)
    if (validateRanges(template)._tag === "Right" && countExpansions(template) > 0) {
      expect(urls.length).toBe(countExpansions(template))
    }
    for (const url of urls) expect(typeof url).toBe("string")
  }, { fastCheck: { numRuns: 300 } })

  it("a bound past 2^53 is refused, not looped on forever", () => {
    expect(validateRanges("http://h/{1..99999999999999999999}")._tag).toBe("Left")
    expect([...expandRanges("http://h/{99999999999999999998..99999999999999999999}")]).toEqual([
      "http://h/{99999999999999999998..99999999999999999999}"
    ])
  })

  it("100,000 ranges in one line expand the first few only, without overflowing the stack", () => {
    const template = "http://h/" + "{1..1}".repeat(100_000)
    const [url] = [...expandRanges(template)]
    expect(url!.startsWith("http://h/" + "1".repeat(maxRangesPerUrl) + "{1..1}")).toBe(true)
  })

  it.effect.prop("input text: every URL line gets one index per expansion, in order", [
    fc.array(fc.oneof(line, fc.constantFrom("", "# comment", "   ", "\r")), { maxLength: 8 })
  ], ([lines]) =>
    Effect.gen(function*() {
      const requests = Chunk.toArray(yield* Stream.runCollect(inputRequests([], Stream.make(lines.join("\n")))))
      expect(requests.map((r) => r.index)).toEqual(requests.map((_, i) => i))
    }), { fastCheck: { numRuns: 40 } })
})
