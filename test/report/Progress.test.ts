/**
 * The progress bar drawn on a captured stream: what it shows (done/total, failures), that
 * messages go above it while it is up and straight to the stream when it is not, and that
 * disabled it writes nothing at all.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Writable } from "node:stream"
import { makeProgress, printAbove, progressDrawn } from "../../src/report/Progress.js"

const capture = () => {
  let text = ""
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    }
  })
  return { stream, text: () => text }
}

describe("Progress", () => {
  it.effect("draws done/total and failures, prints messages above, and is gone when its scope ends", () =>
    Effect.gen(function*() {
      const out = capture()
      yield* Effect.scoped(Effect.gen(function*() {
        const progress = yield* makeProgress({ enabled: true, total: 4, stream: out.stream })
        expect(progressDrawn()).toBe(true)
        printAbove("retrying http://api.test/1", out.stream)
        progress.update(4, 1)
      }))
      expect(progressDrawn()).toBe(false)
      expect(out.text()).toContain("retrying http://api.test/1\n")
      expect(out.text()).toMatch(/100% \| 4\/4 \| \d+ req\/s \| ETA .* \| failed 1/)
      // After the bar, a message goes straight to the stream.
      printAbove("after\n", out.stream)
      expect(out.text().endsWith("after\n")).toBe(true)
    }))

  it.effect("an unknown total shows a count and a rate only", () =>
    Effect.gen(function*() {
      const out = capture()
      yield* Effect.scoped(Effect.gen(function*() {
        const progress = yield* makeProgress({ enabled: true, total: undefined, stream: out.stream })
        progress.update(7, 0)
      }))
      expect(out.text()).toMatch(/\d+ done \| \d+ req\/s \| failed \d+/)
      expect(out.text()).not.toContain("ETA")
    }))

  it.effect("disabled, it draws nothing and messages are written as they are", () =>
    Effect.gen(function*() {
      const out = capture()
      yield* Effect.scoped(Effect.gen(function*() {
        const progress = yield* makeProgress({ enabled: false, total: 3, stream: out.stream })
        expect(progressDrawn()).toBe(false)
        progress.update(3, 3)
        printAbove("plain\n", out.stream)
      }))
      expect(out.text()).toBe("plain\n")
    }))
})
