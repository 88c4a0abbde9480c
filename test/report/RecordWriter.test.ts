/**
 * Every write is checked: a file whose disk fills up is cut back to its last whole record and
 * the failure says, in plain words, how many records are safe and how to continue; standard
 * output's failures are the run's too, and a reader gone (EPIPE) is told apart.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { SystemError } from "@effect/platform/Error"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer } from "effect"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import { WriteFailure } from "../../src/domain/OutputError.js"
import { openRecordWriter } from "../../src/report/RecordWriter.js"
import { Stdout } from "../../src/report/Stdout.js"
import { makeCapture } from "../support/Capture.js"

const record = (index: number): FetchRecord => ({
  index,
  url: `http://a.test/${index}`,
  ok: true,
  status: 200,
  attempts: 1,
  ms: 1,
  body: "x".repeat(50)
})
const records = (from: number, count: number) =>
  Chunk.fromIterable(Array.from({ length: count }, (_, i) => record(from + i)))

/**
 * The platform's file system, but a disk that holds `room` bytes: a write past it writes what
 * fits (a torn record, as a real full disk does) and fails with ENOSPC.
 */
const fullDiskAfter = (room: number) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => {
      let used = 0
      return {
        ...fs,
        open: (path, options) =>
          Effect.map(fs.open(path, options), (file) =>
            Object.assign(Object.create(file) as FileSystem.File, {
              writeAll: (bytes: Uint8Array) => {
                const fits = Math.max(0, Math.min(bytes.length, room - used))
                used += fits
                const torn = file.writeAll(bytes.subarray(0, fits))
                return fits === bytes.length ? torn : Effect.zipRight(
                  torn,
                  Effect.fail(
                    new SystemError({
                      module: "FileSystem",
                      method: "writeAll",
                      reason: "Unknown",
                      description: "ENOSPC: no space left on device, write",
                      cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })
                    })
                  )
                )
              }
            })),
        truncate: fs.truncate
      }
    })
  ).pipe(Layer.provide(NodeContext.layer))

/** A stdout that takes `room` writes, then fails every write with `code`. */
const failingStdout = (room: number, code: string) => {
  let writes = 0
  let text = ""
  return {
    layer: Layer.succeed(Stdout, {
      write: (chunk: string) =>
        Effect.suspend(() => {
          if (chunk === "") return Effect.void
          if (writes++ >= room) return Effect.fail(new WriteFailure({ code, message: `${code}: write failed` }))
          text += chunk
          return Effect.void
        })
    }),
    text: () => text
  }
}

// File targets never touch stdout; the capture only stands in for it.
layer(Layer.merge(NodeContext.layer, makeCapture().stdout))("RecordWriter", (it) => {
  it.scoped("a full disk under -o: cut back to whole records; the message says how many and how to go on", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/out.ndjson`
      const lineBytes = JSON.stringify(record(0)).length + 1
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* openRecordWriter("ndjson", { _tag: "File", path, append: false })
        yield* writer.write(records(0, 10))
        yield* writer.write(records(10, 10))
        return yield* Effect.flip(writer.write(records(20, 10)))
      })).pipe(Effect.provide(fullDiskAfter(lineBytes * 25 + 7)))
      expect(error._tag).toBe("OutputError")
      expect(error.message).toBe(`--output ${path}: no space left on device (20 records kept; --resume to continue)`)
      expect(error.message).not.toContain("FileSystem.writeAll")
      const lines = (yield* fs.readFileString(path)).split("\n")
      // 20 whole records and nothing torn after them.
      expect(lines.length).toBe(21)
      expect(lines.at(-1)).toBe("")
      expect(lines.slice(0, 20).map((line) => (JSON.parse(line) as FetchRecord).index)).toEqual(
        Array.from({ length: 20 }, (_, i) => i)
      )
    }))

  it.scoped("a full disk under --format json: the temporary file is removed, the target never half written", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/out.json`
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* openRecordWriter("json", { _tag: "File", path, append: false })
        yield* writer.write(records(0, 5))
        return yield* Effect.flip(writer.write(records(5, 50)))
      })).pipe(Effect.provide(fullDiskAfter(1000)))
      expect(error.message).toBe(`--output ${path}: no space left on device (nothing written to ${path})`)
      expect(yield* fs.readDirectory(dir)).toEqual([])
    }))

  it.scoped("stdout: a failed write fails the run with the count written; EPIPE is the reader gone", () =>
    Effect.gen(function*() {
      const full = failingStdout(2, "ENOSPC")
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* openRecordWriter("ndjson", { _tag: "Stdout" })
        yield* writer.write(records(0, 3))
        yield* writer.write(records(3, 3))
        return yield* Effect.flip(writer.write(records(6, 3)))
      })).pipe(Effect.provide(full.layer))
      expect(error._tag).toBe("OutputError")
      expect(error.message).toBe("stdout: no space left on device; 6 records written")
      expect(full.text().split("\n").length).toBe(7)

      const pipe = failingStdout(1, "EPIPE")
      const closed = yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* openRecordWriter("ndjson", { _tag: "Stdout" })
        yield* writer.write(records(0, 1))
        return yield* Effect.flip(writer.write(records(1, 1)))
      })).pipe(Effect.provide(pipe.layer))
      expect(closed._tag).toBe("OutputClosed")
      expect(closed.written).toBe(1)
    }))
})
