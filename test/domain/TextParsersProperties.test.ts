/** Property tests: flag values (durations, sizes, rates) parse or are refused with a message, never throw. */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Either } from "effect"
import fc from "fast-check"
import { parseDuration } from "../../src/domain/DurationText.js"
import { parseRate } from "../../src/domain/RateText.js"
import { parseSize } from "../../src/domain/SizeText.js"

/** Text near the grammar (digits, units, signs, dots, spaces) and plain noise. */
const flagText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.array(
    fc.constantFrom(
      "0",
      "1",
      "9",
      "99999999999999999999",
      ".",
      "-",
      "+",
      " ",
      "e",
      "ms",
      "s",
      "m",
      "h",
      "KiB",
      "MB",
      "/",
      "/s",
      "/m",
      "\u0000",
      "١"
    ),
    { maxLength: 6 }
  ).map((parts) => parts.join(""))
)

describe("flag value parsers", () => {
  it.prop("durations: a non-negative duration, or a message naming the text", [flagText], ([text]) => {
    const parsed = parseDuration(text)
    if (Either.isRight(parsed)) expect(Duration.toMillis(parsed.right)).toBeGreaterThanOrEqual(0)
    else expect(parsed.left).toContain("not a duration")
  }, { fastCheck: { numRuns: 300 } })

  it.prop("sizes: a non-negative number of bytes, or a message", [flagText], ([text]) => {
    const parsed = parseSize(text)
    if (Either.isRight(parsed)) expect(parsed.right).toBeGreaterThanOrEqual(0)
    else expect(parsed.left.length).toBeGreaterThan(0)
  }, { fastCheck: { numRuns: 300 } })

  it.prop("rates: a positive limit per positive interval, or a message", [flagText], ([text]) => {
    const parsed = parseRate(text)
    if (Either.isRight(parsed)) {
      expect(parsed.right.limit).toBeGreaterThan(0)
      expect(Duration.toMillis(parsed.right.interval)).toBeGreaterThan(0)
    } else {
      expect(parsed.left.length).toBeGreaterThan(0)
    }
  }, { fastCheck: { numRuns: 300 } })
})
