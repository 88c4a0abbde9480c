import { describe, expect, it } from "@effect/vitest"
import { closestName, editDistance } from "../../src/domain/ClosestName.js"

describe("closestName", () => {
  it("measures edits", () => {
    expect(editDistance("requst", "request")).toBe(1)
    expect(editDistance("", "abc")).toBe(3)
    expect(editDistance("kitten", "sitting")).toBe(3)
  })

  it("picks the nearest within the limit, else a unique prefix, else nothing", () => {
    expect(closestName("requst", ["request", "needs", "retries"])).toBe("request")
    expect(closestName("--max-bod", ["--max-body", "--max-redirects"])).toBe("--max-body")
    expect(closestName("--max-r", ["--max-body", "--max-redirects"])).toBe("--max-redirects")
    expect(closestName("--max", ["--max-body", "--max-redirects"])).toBeUndefined()
    expect(closestName("zebra", ["request"])).toBeUndefined()
  })
})
