import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { runDemo } from "../../src/demo/DemoStory.js"
import { TransportFactory } from "../../src/engine/Compare.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { makeCapture } from "../support/Capture.js"

const capture = makeCapture()

const DemoLayer = Layer.mergeAll(
  NodeContext.layer,
  Fetcher.Default.pipe(Layer.provide(undiciLayer())),
  Layer.succeed(TransportFactory, undiciLayer()),
  capture.stdout
)

layer(DemoLayer, { excludeTestServices: true })("volley demo", (it) => {
  it.effect("tells the whole story against the embedded API, on loopback", () =>
    Effect.gen(function*() {
      yield* runDemo({ color: false, factDelayMs: 5 })
      const text = capture.output()
      expect(text).toMatch(/local API \(no network\):\n  http:\/\/127\.0\.0\.1:\d+/)
      expect(text).toMatch(/sequential +[\d.]+ m?s +100 +0 +1\.0×/)
      expect(text).toMatch(/concurrent \(100\) +[\d.]+ m?s +100 +0/)
      expect(text).toMatch(/The 100 records are saved in\n  \S+cat-facts\.json/)
      expect(text).toContain("10 ok, 0 failed after 30 attempts")
      // How many of the burst land in the server's one-second window depends on the machine's
      // speed: only what holds at any speed is checked (all 20 answered, every failure a 429).
      const burst = /All 20 at once, no retries: (\d+) ok, (\d+) failed(?: \((\d+) StatusError\))?/.exec(text)
      expect(burst).not.toBeNull()
      const [ok, failed, statusErrors] = [1, 2, 3].map((group) => Number(burst![group] ?? 0))
      expect(ok! + failed!).toBe(20)
      expect(ok).toBeGreaterThanOrEqual(5)
      expect(statusErrors).toBe(failed)
      expect(text).toContain("With --rate 5: 20 ok, 0 failed")
      expect(text).toContain("--select 'pre.data'        → \"12\\n49\\n86\\n23\\n60\\n97\\n34\\n71\"")
      expect(text).toContain("[\"12\",\"49\",\"86\",\"23\",\"60\",\"97\",\"34\",\"71\"]")
      expect(text).toMatch(/posts +10 +10 +0 .* ok/)
      expect(text.split("\n").filter((line) => [...line].length > 80)).toEqual([])
      expect(text).not.toContain("\u001b[")
    }), 60_000)
})
