/**
 * The open-file limit read from `/proc/self/limits`, and the warning above it.
 */
import { describe, expect, it } from "@effect/vitest"
import { effectiveConcurrency, openFileWarning, parseOpenFileLimit } from "../../src/cli/ResourceLimits.js"

const limits = (soft: string, hard: string) =>
  [
    "Limit                     Soft Limit           Hard Limit           Units     ",
    "Max processes             unlimited            unlimited            processes ",
    `Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     `
  ].join("\n")

describe("ResourceLimits", () => {
  it("reads the soft open-file limit; unlimited or unreadable is no limit", () => {
    expect(parseOpenFileLimit(limits("256", "1048576"))).toBe(256)
    expect(parseOpenFileLimit(limits("unlimited", "unlimited"))).toBeUndefined()
    expect(parseOpenFileLimit("garbage")).toBeUndefined()
  })

  it("warns only when the concurrency (plus what a run needs besides) passes the limit", () => {
    expect(openFileWarning(1000, 256)).toContain(
      "--concurrency 1000 is more than the open-file limit allows (ulimit -n 256)"
    )
    expect(openFileWarning(100, 256)).toBeUndefined()
    expect(openFileWarning(100_000, undefined)).toBeUndefined()
    expect(openFileWarning(1000, 256)).toContain("running 224 at once")
    expect([effectiveConcurrency(1000, 256), effectiveConcurrency(100, 256), effectiveConcurrency(5, 20)]).toEqual([
      224,
      100,
      1
    ])
  })
})
