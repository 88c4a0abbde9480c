import { describe, expect, it } from "@effect/vitest"
import { makeLatencyHistogram } from "../../src/engine/LatencyHistogram.js"

describe("LatencyHistogram", () => {
  it("gives percentiles within 2% in constant memory", () => {
    const h = makeLatencyHistogram()
    for (let i = 1; i <= 1000; i++) h.add(i)
    expect(h.count()).toBe(1000)
    expect(h.max()).toBe(1000)
    expect(Math.abs(h.quantile(0.5) - 500) / 500).toBeLessThan(0.02)
    expect(Math.abs(h.quantile(0.95) - 950) / 950).toBeLessThan(0.02)
  })
  it("is 0 when empty", () => {
    expect(makeLatencyHistogram().quantile(0.5)).toBe(0)
  })
})
