import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { formatSize, parseSize } from "../../src/domain/SizeText.js"

describe("SizeText", () => {
  it("formatSize writes the largest binary unit that holds the size whole", () => {
    expect(formatSize(0)).toBe("0B")
    expect(formatSize(1536)).toBe("1536B")
    expect(formatSize(512 * 1024)).toBe("512KiB")
    expect(formatSize(10 * 1024 ** 2)).toBe("10MiB")
    expect(formatSize(2 * 1024 ** 3)).toBe("2GiB")
    expect(formatSize(4 * 1024 ** 4)).toBe("4096GiB")
  })

  it("what formatSize writes parses back to the same number of bytes", () => {
    for (const bytes of [1, 1000, 1024, 3 * 1024 ** 2, 5 * 1024 ** 3]) {
      expect(parseSize(formatSize(bytes))).toEqual(Either.right(bytes))
    }
  })
})
