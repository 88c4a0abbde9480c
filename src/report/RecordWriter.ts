/**
 * Writes records to standard output or a file in a given format, a chunk at a time. A JSON file
 * is written to a temporary name and renamed at the end, so readers never see half an array;
 * NDJSON and CSV are written as records arrive and always end on a whole line.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { UsageError } from "../domain/UsageError.js"
import { type Format, type RecordFormat, recordFormat } from "./RecordFormat.js"
import { Stdout } from "./Stdout.js"

/** Where records go. */
export type OutputTarget =
  | { readonly _tag: "Stdout" }
  | { readonly _tag: "File"; readonly path: string; readonly append: boolean }

/** An open output: write chunks of records, then close (writes the footer, renames). */
export interface RecordWriter {
  readonly write: (records: Chunk.Chunk<FetchRecord>) => Effect.Effect<void, UsageError>
}

const failWrite = (path: string) => (cause: { readonly message: string }) =>
  new UsageError({ message: `--output ${path}: cannot write: ${cause.message}` })

/**
 * Checks that `path` can be written (its folder exists and is writable) before any request is
 * sent, so a typo in `--output` costs nothing.
 */
export const checkWritable = (path: string): Effect.Effect<void, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = (yield* Path.Path).dirname(path)
    const stat = yield* fs.stat(dir).pipe(
      Effect.mapError(() => new UsageError({ message: `--output ${path}: folder ${dir} does not exist` }))
    )
    if (stat.type !== "Directory") {
      return yield* new UsageError({ message: `--output ${path}: ${dir} is not a folder` })
    }
    const existing = yield* fs.stat(path).pipe(Effect.option)
    if (existing._tag === "Some" && existing.value.type === "Directory") {
      return yield* new UsageError({ message: `--output ${path}: is a folder` })
    }
    yield* fs.access(existing._tag === "Some" ? path : dir, { writable: true }).pipe(
      Effect.mapError(() => new UsageError({ message: `--output ${path}: not writable` }))
    )
  })

/** Opens a writer in the current scope; closing the scope finishes the output, even on interruption. */
export const openRecordWriter = (
  format: Format,
  target: OutputTarget
): Effect.Effect<RecordWriter, UsageError, Scope.Scope | Stdout | FileSystem.FileSystem> =>
  openEncodedWriter(recordFormat(format), target, { atomic: format === "json" })

/**
 * A writer for any encoder (the record formats, reports such as HAR); `atomic` files are written
 * to a temporary name renamed into place at the end.
 */
export const openEncodedWriter = (
  encoder: RecordFormat,
  target: OutputTarget,
  options: { readonly atomic: boolean }
): Effect.Effect<RecordWriter, UsageError, Scope.Scope | Stdout | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    let first = true
    const encode = (records: Chunk.Chunk<FetchRecord>) => {
      let text = ""
      for (const record of records) {
        text += encoder.record(record, first)
        first = false
      }
      return text
    }

    if (target._tag === "Stdout") {
      const stdout = yield* Stdout
      yield* stdout.write(encoder.header)
      yield* Effect.addFinalizer(() => stdout.write(encoder.footer(first)))
      return { write: (records) => stdout.write(encode(records)) }
    }

    const fs = yield* FileSystem.FileSystem
    // JSON goes to a temporary file renamed into place at the end: never half an array.
    const atomic = options.atomic
    const path = atomic ? `${target.path}.volley-tmp-${process.pid}` : target.path
    const append = target.append && !atomic
    const hasContent = append &&
      (yield* fs.stat(path).pipe(Effect.map((s) => Number(s.size) > 0), Effect.orElseSucceed(() => false)))
    const file = yield* fs.open(path, { flag: append ? "a" : "w" }).pipe(Effect.mapError(failWrite(target.path)))
    const encoderOut = new TextEncoder()
    const put = (text: string) =>
      text === "" ? Effect.void : file.writeAll(encoderOut.encode(text)).pipe(Effect.mapError(failWrite(target.path)))
    if (!hasContent) yield* put(encoder.header)
    yield* Effect.addFinalizer(() =>
      put(encoder.footer(first)).pipe(
        // Devices and pipes (`-o /dev/null`) cannot be synced; only a file's data is at stake.
        Effect.zipRight(Effect.catchIf(file.sync, (error) => /EINVAL|ENOTSUP/.test(error.message), () => Effect.void)),
        Effect.zipRight(atomic ? fs.rename(path, target.path) : Effect.void),
        Effect.catchAll((error) => Effect.logError(`--output ${target.path}: ${error.message}`))
      )
    )
    return { write: (records) => put(encode(records)) }
  })
