import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { countExpansions, expandRanges, validateRanges } from "../../src/engine/RangeExpansion.js"

describe("RangeExpansion", () => {
  it("expands {1..N}", () => {
    expect([...expandRanges("http://a/{1..3}")]).toEqual(["http://a/1", "http://a/2", "http://a/3"])
  })
  it("keeps zero padding", () => {
    expect([...expandRanges("http://a/{008..011}")]).toEqual([
      "http://a/008",
      "http://a/009",
      "http://a/010",
      "http://a/011"
    ])
  })
  it("counts down and steps", () => {
    expect([...expandRanges("/{3..1}")]).toEqual(["/3", "/2", "/1"])
    expect([...expandRanges("/{0..10..5}")]).toEqual(["/0", "/5", "/10"])
  })
  it("nests several ranges, the first outermost", () => {
    expect([...expandRanges("/{1..2}/{a..b}/{1..2}")]).toEqual([
      "/1/{a..b}/1",
      "/1/{a..b}/2",
      "/2/{a..b}/1",
      "/2/{a..b}/2"
    ])
    expect(countExpansions("/{1..10}/{1..10}")).toBe(100)
  })
  it("leaves URLs without ranges alone and is lazy", () => {
    expect([...expandRanges("http://a/b?x={y}")]).toEqual(["http://a/b?x={y}"])
    const iterator = expandRanges("/{1..1000000000}")[Symbol.iterator]()
    expect(iterator.next().value).toBe("/1")
  })
  it("reports a zero step, and braces around .. that are not a range", () => {
    expect(Either.isLeft(validateRanges("/{1..5..0}"))).toBe(true)
    expect(validateRanges("/{3..x}")).toEqual(
      Either.left("{3..x} is not a range (write {1..10}, {001..100} or {0..100..10})")
    )
    expect(validateRanges("/{1..}/{..2}")._tag).toBe("Left")
    expect(validateRanges("/{1..3}?q={y}")).toEqual(Either.right("/{1..3}?q={y}"))
  })
})
