/**
 * The output lock: exclusive while held, gone when released, a dead holder's lock taken over
 * by exactly one of the runs racing for it, and the leftovers of dead runs removed.
 */
import { FileSystem } from "@effect/platform"
import { Command } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { acquireOutputLock, isAlive, lockPathOf } from "../../src/report/OutputLock.js"

/** The pid of a process that has exited. */
const deadPid = Effect.scoped(Effect.gen(function*() {
  const child = yield* Command.start(Command.make("node", "-e", ""))
  yield* child.exitCode
  return child.pid as number
}))

layer(NodeContext.layer, { excludeTestServices: true })("OutputLock", (it) => {
  it.scoped("held for the scope: a second taker is refused naming the holder; released at the end", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/out.ndjson`
      yield* Effect.scoped(Effect.gen(function*() {
        yield* acquireOutputLock(path)
        expect(yield* fs.readFileString(lockPathOf(path))).toBe(`${process.pid}\n`)
        const second = yield* Effect.flip(Effect.scoped(acquireOutputLock(path)))
        expect(second.message).toBe(
          `--output ${path}: in use by another volley run (pid ${process.pid}); its lock is ${lockPathOf(path)}`
        )
      }))
      expect(yield* fs.exists(lockPathOf(path))).toBe(false)
    }))

  it.scoped("a dead holder's lock: of two runs racing to take it over, exactly one gets it", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/out.ndjson`
      const pid = yield* deadPid
      expect(isAlive(pid)).toBe(false)
      yield* fs.writeFileString(lockPathOf(path), `${pid}\n`)
      yield* fs.writeFileString(`${path}.volley-tmp-${pid}`, "[")
      yield* fs.writeFileString(`${path}.volley-resume-${pid}`, "{")
      yield* fs.writeFileString(`${dir}/other.ndjson.volley-tmp-${pid}`, "[")
      const outcomes = yield* Effect.all([acquireOutputLock(path), acquireOutputLock(path)].map(Effect.either), {
        concurrency: "unbounded"
      })
      expect(outcomes.filter(Either.isRight).length).toBe(1)
      expect(yield* fs.readFileString(lockPathOf(path))).toBe(`${process.pid}\n`)
      // This output's leftovers are gone; another output's are not ours to touch.
      expect((yield* fs.readDirectory(dir)).sort()).toEqual(
        ["other.ndjson.volley-tmp-" + pid, "out.ndjson.volley-lock"].sort()
      )
    }))

  it.scoped("devices are not locked", () =>
    Effect.gen(function*() {
      yield* acquireOutputLock("/dev/null")
      const fs = yield* FileSystem.FileSystem
      expect(yield* fs.exists("/dev/null.volley-lock")).toBe(false)
    }))
})
