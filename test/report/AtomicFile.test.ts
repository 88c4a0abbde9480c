import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { openAtomic, tempPathOf, writeFileAtomically } from "../../src/report/AtomicFile.js"

const encode = (text: string) => new TextEncoder().encode(text)

describe("AtomicFile", () => {
  it.scoped("the target keeps its old contents until commit; then it is the new file and no temporary is left", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/out.json`
      yield* fs.writeFileString(path, "old\n")
      yield* Effect.scoped(Effect.gen(function*() {
        const atomic = yield* openAtomic(path)
        expect(atomic.temp).toBe(tempPathOf(path))
        yield* atomic.file.writeAll(encode("new\n"))
        expect(yield* fs.readFileString(path)).toBe("old\n")
        yield* atomic.commit
      }))
      expect(yield* fs.readFileString(path)).toBe("new\n")
      expect(yield* fs.readDirectory(dir)).toEqual(["out.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a scope closed without commit (a failure, an interruption) removes the temporary and leaves the target", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/report.xml`
      yield* fs.writeFileString(path, "<old/>")
      const scope = yield* Scope.make()
      const atomic = yield* openAtomic(path, `${path}.partial`).pipe(Scope.extend(scope))
      yield* atomic.file.writeAll(encode("<half"))
      expect((yield* fs.readDirectory(dir)).sort()).toEqual(["report.xml", "report.xml.partial"])
      yield* Scope.close(scope, Exit.fail("stopped"))
      expect(yield* fs.readDirectory(dir)).toEqual(["report.xml"])
      expect(yield* fs.readFileString(path)).toBe("<old/>")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("writeFileAtomically writes a new file, and fails (nothing left behind) where the folder is missing", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* writeFileAtomically(`${dir}/a.json`, "[]\n")
      expect(yield* fs.readFileString(`${dir}/a.json`)).toBe("[]\n")
      const failed = yield* Effect.exit(writeFileAtomically(`${dir}/missing/b.json`, "[]\n"))
      expect(Exit.isFailure(failed)).toBe(true)
      expect(yield* fs.readDirectory(dir)).toEqual(["a.json"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
