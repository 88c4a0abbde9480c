/**
 * Nothing lost, nothing reported that was not written (in process): a full device under `-o`
 * ends the run with exit 2 and the count written; one writer per output file (a lock held by a
 * live process is refused, naming it); a stale lock and the temporary files of a killed run are
 * cleaned up; a real full disk under `-o` keeps whole records and says how to continue. A full
 * stdout, a reader that goes away and two volley processes on one file need processes:
 * BuiltCli.test.ts.
 */
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runInProcess } from "../support/InProcessCli.js"
import { jsonAfter, startLoopbackServer } from "../support/LoopbackServer.js"

const lines = (text: string) => text.split("\n").filter((l) => l !== "")
const indexes = (text: string) => lines(text).map((l) => (JSON.parse(l) as { index: number }).index)

/** Mounts a 64 KiB tmpfs (a disk that really fills up); its folder, or undefined when not allowed. */
const mountSmallDisk = (): string | undefined => {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), "volley-full-"))
  if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]).status === 0) return dir
  rmdirSync(dir)
  return undefined
}
const unmount = (dir: string) => {
  spawnSync("umount", [dir])
  rmdirSync(dir)
}
/** Whether this test may mount one (root on Linux, with the right to mount): probed and undone. */
const canMountSmallDisk = (() => {
  const dir = mountSmallDisk()
  if (dir !== undefined) unmount(dir)
  return dir !== undefined
})()

layer(NodeContext.layer, { excludeTestServices: true })("output integrity (in process)", (it) => {
  it.scoped("-o /dev/full: exit 2, the plain reason and the count written", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      // The same device as -o: nothing to resume from, so no such advice.
      const device = yield* runInProcess(["fetch", `${server.url}/r/{1..20}`, "-o", "/dev/full", "--no-progress"])
      expect(device.code).toBe(2)
      expect(device.stderr).toContain("volley: --output /dev/full: no space left on device (0 records written)")
    }))

  it.scoped("a lock whose pid is gone (a run killed with -9) is taken over, and its temp files removed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(jsonAfter(0))
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/two.ndjson`
      const args = ["fetch", `${server.url}/x/{0..2999}`, "-c", "10", "-o", out, "--resume", "--no-progress"]
      const first = yield* runInProcess(args)
      expect(first.code).toBe(0)
      expect(indexes(yield* fs.readFileString(out))).toEqual(Array.from({ length: 3000 }, (_, i) => i))
      const dead = yield* Command.start(Command.make("node", "-e", ""))
      yield* dead.exitCode
      yield* fs.writeFileString(`${out}.volley-lock`, `${dead.pid}\n`)
      yield* fs.writeFileString(`${out}.volley-tmp-${dead.pid}`, "[\n")
      yield* fs.writeFileString(`${out}.volley-resume-${dead.pid}`, "{\"index\":0")
      const again = yield* runInProcess(args)
      expect(again.code).toBe(0)
      expect(again.stderr).toContain("resuming: 3000 records kept")
      expect(yield* fs.readDirectory(dir)).toEqual(["two.ndjson"])
      expect(server.hits()).toBe(3000)
    }))

  it.scoped("a lock taken without --resume too: -o FILE is one writer, whatever the format", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(jsonAfter(0))
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/held.json`
      // Held by a process that is alive and not this one (the run is in this process).
      const holder = process.ppid
      yield* fs.writeFileString(`${out}.volley-lock`, `${holder}\n`)
      const result = yield* runInProcess(["fetch", `${server.url}/x`, "-o", out, "--format", "json"])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`in use by another volley run (pid ${holder})`)
      expect(server.hits()).toBe(0)
      expect(yield* fs.exists(out)).toBe(false)
    }))

  it.scoped("--resume: a foreign file is refused unless --force; records outside the input are dropped", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(jsonAfter(0))
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/important.json`
      yield* fs.writeFileString(out, "{\"mine\": true}\n")
      const args = ["fetch", `${server.url}/x/{0..2}`, "-o", out, "--resume", "--no-progress"]
      const refused = yield* runInProcess(args)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("does not start with a volley record")
      expect(yield* fs.readFileString(out)).toBe("{\"mine\": true}\n")
      expect(server.hits()).toBe(0)
      const forced = yield* runInProcess([...args, "--force"])
      expect(forced.code).toBe(0)
      expect(indexes(yield* fs.readFileString(out))).toEqual([0, 1, 2])
      // A file from a longer input: the records past this one's end go.
      const record = (i: number) =>
        JSON.stringify({ index: i, url: `${server.url}/x/${i}`, ok: true, status: 200, attempts: 1, ms: 1 })
      yield* fs.writeFileString(out, [0, 1, 2, 3].map(record).join("\n") + "\n")
      const resumed = yield* runInProcess(args)
      expect(resumed.code).toBe(0)
      expect(resumed.stderr).toContain("resuming: 3 records kept, 1 outside the input dropped")
      expect(indexes(yield* fs.readFileString(out))).toEqual([0, 1, 2])
    }))

  it.scoped.runIf(canMountSmallDisk)(
    "a disk that fills up under -o: whole records kept, the count, how to go on",
    () =>
      Effect.gen(function*() {
        const smallDisk = yield* Effect.acquireRelease(
          Effect.sync(() => mountSmallDisk()).pipe(Effect.flatMap(Effect.fromNullable), Effect.orDie),
          (dir) => Effect.sync(() => unmount(dir))
        )
        const fs = yield* FileSystem.FileSystem
        const server = yield* startLoopbackServer(jsonAfter(0))
        const out = `${smallDisk}/out.ndjson`
        const result = yield* runInProcess([
          "fetch",
          `${server.url}/r/{1..3000}`,
          "-c",
          "20",
          "-o",
          out,
          "--no-progress"
        ])
        expect(result.code).toBe(2)
        const kept = lines(yield* fs.readFileString(out))
        expect(result.stderr).toContain(
          `volley: --output ${out}: no space left on device (${kept.length} records kept; --resume to continue)`
        )
        expect(kept.length).toBeGreaterThan(0)
        expect(indexes(kept.join("\n"))).toEqual(Array.from({ length: kept.length }, (_, i) => i))
        expect((yield* fs.readFileString(out)).endsWith("\n")).toBe(true)
        expect(result.stderr).not.toContain("FileSystem.writeAll")
      })
  )
})
