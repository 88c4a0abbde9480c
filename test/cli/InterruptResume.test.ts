/**
 * Ctrl-C in the middle of a run, then `--resume`: the file is whole, every input ends up with
 * exactly one record, and nothing is fetched twice.
 */
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { runCli } from "../support/CliProcess.js"

const countLines = (text: string) => text.split("\n").filter((l) => l !== "").length

layer(NodeContext.layer, { excludeTestServices: true })("interrupt and resume (built CLI)", (it) => {
  it.scoped("SIGINT writes whole records and exits 130; --resume completes the file without refetching", () =>
    Effect.gen(function*() {
      const server = yield* startDemoServer()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const urls = `${dir}/urls.txt`
      const out = `${dir}/out.ndjson`
      yield* fs.writeFileString(urls, `${server.url}/json/{1..200}?delay=50\n`)
      const args = ["fetch", "--input", urls, "-c", "8", "-o", out, "--no-progress"]

      const child = yield* Command.start(Command.make("node", "bin/volley.js", ...args))
      // Wait (bounded) until some records are on disk, then interrupt.
      yield* fs.readFileString(out).pipe(
        Effect.orElseSucceed(() => ""),
        Effect.repeat({ schedule: Schedule.spaced("25 millis"), until: (text) => countLines(text) >= 16, times: 400 })
      )
      yield* child.kill("SIGINT")
      expect(yield* child.exitCode).toBe(130)
      const partial = yield* fs.readFileString(out)
      expect(partial.endsWith("\n")).toBe(true)
      const first = partial.trim().split("\n").map((line) => JSON.parse(line) as { index: number })
      expect(first.length).toBeGreaterThanOrEqual(16)
      expect(first.length).toBeLessThan(200)
      expect(first.map((r) => r.index)).toEqual(first.map((_, i) => i))
      const seenBefore = server.stats.snapshot().requests

      const resumed = yield* runCli([...args, "--resume"])
      expect(resumed.code).toBe(0)
      expect(resumed.stderr).toContain(`resuming: ${first.length} records kept`)
      const records = (yield* fs.readFileString(out)).trim().split("\n").map((l) =>
        JSON.parse(l) as { index: number; ok: boolean }
      )
      expect(records.length).toBe(200)
      expect(new Set(records.map((r) => r.index)).size).toBe(200)
      expect(records.every((r) => r.ok)).toBe(true)
      // Requests in flight at the signal were finished and written, so none is sent twice.
      expect(seenBefore).toBe(first.length)
      expect(server.stats.snapshot().requests).toBe(200)

      const changed = yield* runCli(["fetch", `${server.url}/json/other`, "-o", out, "--resume"])
      expect(changed.code).toBe(2)
      expect(changed.stderr).toContain("the input changed: index 0")
    }))
})
