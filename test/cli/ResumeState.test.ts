/**
 * `--resume` reads what an earlier run wrote: a line cut short is dropped and the file rewritten
 * whole, failed records are kept or dropped, duplicates count once, a changed input is refused.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { loadResumeState } from "../../src/cli/ResumeState.js"

const ok = (index: number) =>
  JSON.stringify({ index, url: `http://a.test/${index}`, ok: true, status: 200, attempts: 1, ms: 1, body: "x" })
const failed = (index: number) =>
  JSON.stringify({
    index,
    url: `http://a.test/${index}`,
    ok: false,
    status: 503,
    attempts: 4,
    ms: 1,
    error: { _tag: "StatusError", message: "503" }
  })

layer(NodeContext.layer)("ResumeState", (it) => {
  it.scoped("keeps whole records, drops a last line cut short, and rewrites the file whole", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/out.ndjson`
      yield* fs.writeFileString(path, [ok(0), ok(2), failed(1), ok(2), ok(3).slice(0, 20)].join("\n"))
      const state = yield* loadResumeState(path, false)
      expect(state.kept).toBe(3)
      // The duplicate of 2 and the cut line.
      expect(state.dropped).toBe(2)
      expect([0, 1, 2, 3, 4].map((i) => state.isDone(i, `http://a.test/${i}`))).toEqual(
        [true, true, true, false, false].map(Either.right)
      )
      expect(yield* fs.readFileString(path)).toBe([ok(0), ok(2), failed(1)].join("\n") + "\n")
    }))

  it.scoped("--retry-failed drops failed records so they are fetched again", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/out.ndjson`
      yield* fs.writeFileString(path, [ok(0), failed(1), ok(2)].join("\n") + "\n")
      const state = yield* loadResumeState(path, true)
      expect([state.kept, state.dropped]).toEqual([2, 1])
      expect(state.isDone(1, "http://a.test/1")).toEqual(Either.right(false))
      expect(yield* fs.readFileString(path)).toBe([ok(0), ok(2)].join("\n") + "\n")
    }))

  it.scoped("refuses an input that changed at an index already done; a missing file is a fresh start", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/out.ndjson`, ok(5) + "\n")
      const state = yield* loadResumeState(`${dir}/out.ndjson`, false)
      const changed = state.isDone(5, "http://b.test/5")
      expect(Either.isLeft(changed) && changed.left).toContain("the input changed: index 5 is now http://b.test/5")
      // Indices far past the file's are simply not done.
      expect(state.isDone(1_000_000, "http://a.test/x")).toEqual(Either.right(false))
      const fresh = yield* loadResumeState(`${dir}/none.ndjson`, false)
      expect([fresh.kept, fresh.dropped]).toEqual([0, 0])
      expect(yield* fs.exists(`${dir}/none.ndjson`)).toBe(false)
    }))

  it.scoped("refuses a file whose first line is not a volley record (unless force), and leaves it untouched", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/important.json`
      const text = `{"name":"my data","items":[1,2,3]}\n${ok(0)}\n`
      yield* fs.writeFileString(path, text)
      const refused = yield* Effect.flip(loadResumeState(path, { retryFailed: false }))
      expect(refused._tag).toBe("UsageError")
      expect(refused.message).toContain("does not start with a volley record")
      expect(refused.message).toContain("--force")
      expect(yield* fs.readFileString(path)).toBe(text)
      expect(yield* fs.readDirectory(dir)).toEqual(["important.json"])
      const forced = yield* loadResumeState(path, { retryFailed: false, force: true })
      expect([forced.kept, forced.dropped]).toEqual([1, 1])
      expect(yield* fs.readFileString(path)).toBe(ok(0) + "\n")
    }))

  it.scoped("a lone first line cut short (killed during the first write) is not a foreign file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/out.ndjson`
      yield* fs.writeFileString(path, ok(0).slice(0, 25))
      const state = yield* loadResumeState(path, { retryFailed: false })
      expect([state.kept, state.dropped]).toEqual([0, 1])
      expect(yield* fs.readFileString(path)).toBe("")
    }))

  it.scoped("records whose index is outside the input are dropped and counted", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/out.ndjson`
      yield* fs.writeFileString(path, [0, 1, 2, 3, 4].map(ok).join("\n") + "\n")
      const state = yield* loadResumeState(path, { retryFailed: false, total: 3 })
      expect([state.kept, state.dropped, state.outside]).toEqual([3, 2, 2])
      expect(yield* fs.readFileString(path)).toBe([0, 1, 2].map(ok).join("\n") + "\n")
    }))

  it.scoped("an absurd index (1e10) is a set-up error: no huge allocation, the file kept, no temp file left", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/out.ndjson`
      const text = [ok(0), ok(1e10)].join("\n") + "\n"
      yield* fs.writeFileString(path, text)
      for (const total of [undefined, 20_000]) {
        const error = yield* Effect.flip(loadResumeState(path, { retryFailed: false, total }))
        expect(error.message).toContain("corrupt or not volley's: a record has index 10000000000")
        expect(yield* fs.readFileString(path)).toBe(text)
        expect(yield* fs.readDirectory(dir)).toEqual(["out.ndjson"])
      }
    }))
})
