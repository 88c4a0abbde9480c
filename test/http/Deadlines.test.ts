/**
 * The deadline lists behind the undici transport's time-outs, on a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import { makeDeadlines } from "../../src/http/Deadlines.js"

describe("Deadlines", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("expires what is not cleared, in the order it was set, and only once it is due", () => {
    const deadlines = makeDeadlines()
    const expired: Array<string> = []
    deadlines.after(100, () => expired.push("a"))
    vi.advanceTimersByTime(40)
    const b = deadlines.after(100, () => expired.push("b"))
    deadlines.after(100, () => expired.push("c"))
    b.clear()
    vi.advanceTimersByTime(59)
    expect(expired).toEqual([])
    vi.advanceTimersByTime(1)
    expect(expired).toEqual(["a"])
    vi.advanceTimersByTime(40)
    expect(expired).toEqual(["a", "c"])
    vi.advanceTimersByTime(1000)
    expect(expired).toEqual(["a", "c"])
  })

  it("keeps one list per duration: a short deadline set later expires first", () => {
    const deadlines = makeDeadlines()
    const expired: Array<string> = []
    deadlines.after(500, () => expired.push("long"))
    deadlines.after(50, () => expired.push("short"))
    vi.advanceTimersByTime(50)
    expect(expired).toEqual(["short"])
    vi.advanceTimersByTime(450)
    expect(expired).toEqual(["short", "long"])
  })

  it("survives clearing in any order: the head, the tail, the middle, twice, after expiry", () => {
    const deadlines = makeDeadlines()
    const expired: Array<number> = []
    const set = Array.from({ length: 1000 }, (_, i) => deadlines.after(30, () => expired.push(i)))
    const kept = new Set<number>()
    for (let i = 0; i < set.length; i++) {
      // Clears the first, the last and every third in between; some of them twice.
      if (i === 0 || i === set.length - 1 || i % 3 === 1) {
        set[i]!.clear()
        if (i % 2 === 0) set[i]!.clear()
      } else {
        kept.add(i)
      }
    }
    vi.advanceTimersByTime(30)
    expect(expired).toEqual([...kept])
    set[2]!.clear()
    expect(vi.getTimerCount()).toBe(0)
  })

  it("lets an emptied list's timer lapse and arms it again for a new deadline", () => {
    const deadlines = makeDeadlines()
    const expired: Array<string> = []
    deadlines.after(20, () => expired.push("first")).clear()
    vi.advanceTimersByTime(20)
    expect(vi.getTimerCount()).toBe(0)
    deadlines.after(20, () => expired.push("second"))
    vi.advanceTimersByTime(20)
    expect(expired).toEqual(["second"])
  })
})
