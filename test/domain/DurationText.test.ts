import { describe, expect, it } from "@effect/vitest"
import { formatMillis } from "../../src/domain/DurationText.js"

describe("formatMillis", () => {
  it("writes ms under a second and s from a second on, with the digits asked for", () => {
    expect(formatMillis(0)).toBe("0 ms")
    expect(formatMillis(849.6)).toBe("850 ms")
    expect(formatMillis(999.9, { msDigits: 1 })).toBe("999.9 ms")
    expect(formatMillis(1000)).toBe("1.00 s")
    expect(formatMillis(1254)).toBe("1.25 s")
    expect(formatMillis(1254, { secondDigits: 1 })).toBe("1.3 s")
  })
})
