/**
 * Writes records to standard output or a file in a given format, a chunk at a time. A JSON file
 * is written to a temporary name and renamed at the end, so readers never see half an array;
 * NDJSON and CSV are written as records arrive and always end on a whole line.
 *
 * Every write is checked. A failed write ends the run with an `OutputError` that says, in plain
 * words, what happened and how many records are safe; a file is cut back to its last whole
 * record first. A reader of standard output that goes away (EPIPE) is an `OutputClosed`.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { FetchRecord } from "../domain/FetchRecord.js"
import {
  describeWriteFailure,
  OutputClosed,
  OutputError,
  type WriteFailure,
  writeFailureOf
} from "../domain/OutputError.js"
import { UsageError } from "../domain/UsageError.js"
import { openAtomic, syncIfPossible } from "./AtomicFile.js"
import { type Format, type RecordFormat, recordFormat } from "./RecordFormat.js"
import { Stdout } from "./Stdout.js"

/** Where records go. */
export type OutputTarget =
  | { readonly _tag: "Stdout" }
  | {
    readonly _tag: "File"
    readonly path: string
    readonly append: boolean
    /** Records already in the file (`--resume`), for the count a failure reports as safe. */
    readonly kept?: number
  }

/** An open output: write chunks of records, then close (writes the footer, renames). */
export interface RecordWriter {
  /** Writes the records; fails (and writes nothing more) when the output fails. */
  readonly write: (records: Chunk.Chunk<FetchRecord>) => Effect.Effect<void, OutputError | OutputClosed>
  /** Finishes the output: footer, sync, rename. Closing the scope without it finishes too, unchecked. */
  readonly close: Effect.Effect<void, OutputError | OutputClosed>
  /** Records wholly written so far. */
  readonly written: () => number
}

const openFailure = (path: string) => (cause: { readonly message: string }) =>
  new UsageError({ message: `--output ${path}: cannot write: ${describeWriteFailure(writeFailureOf(cause))}` })

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
): Effect.Effect<
  RecordWriter,
  UsageError | OutputError | OutputClosed,
  Scope.Scope | Stdout | FileSystem.FileSystem
> => openEncodedWriter(recordFormat(format), target, { atomic: format === "json", resumable: format === "ndjson" })

/**
 * A writer for any encoder (the record formats, reports such as HAR): `atomic` files are written
 * to a temporary name renamed into place at the end; `resumable` ones (NDJSON) say, when a write
 * fails, that `--resume` continues them.
 */
export const openEncodedWriter = (
  encoder: RecordFormat,
  target: OutputTarget,
  options: { readonly atomic: boolean; readonly resumable: boolean }
): Effect.Effect<
  RecordWriter,
  UsageError | OutputError | OutputClosed,
  Scope.Scope | Stdout | FileSystem.FileSystem
> =>
  Effect.gen(function*() {
    let first = true
    let written = 0
    let pendingCount = 0
    const encode = (records: Chunk.Chunk<FetchRecord>) => {
      let text = ""
      for (const record of records) {
        text += encoder.record(record, first)
        first = false
      }
      pendingCount = records.length
      return text
    }

    if (target._tag === "Stdout") {
      const stdout = yield* Stdout
      const failure = (error: WriteFailure) =>
        error.code === "EPIPE"
          ? new OutputClosed({ written, message: `stdout: the reader closed the pipe; ${written} records written` })
          : new OutputError({
            ...(error.code === undefined ? {} : { code: error.code }),
            written,
            message: `stdout: ${describeWriteFailure(error)}; ${written} records written`
          })
      let broken = false
      let closed = false
      const put = (text: string) =>
        stdout.write(text).pipe(Effect.mapError((error) => {
          broken = true
          return failure(error)
        }))
      yield* put(encoder.header)
      const close = Effect.suspend(() => {
        if (closed || broken) return Effect.void
        closed = true
        return put(encoder.footer(first))
      })
      yield* Effect.addFinalizer(() => Effect.ignore(close))
      return {
        write: (records) =>
          Effect.suspend(() => put(encode(records))).pipe(Effect.tap(() => {
            written += pendingCount
          })),
        close,
        written: () => written
      }
    }

    const fs = yield* FileSystem.FileSystem
    // JSON goes to a temporary file renamed into place at the end: never half an array.
    const atomic = options.atomic
    const append = target.append && !atomic
    const startSize = append
      ? yield* fs.stat(target.path).pipe(Effect.map((s) => Number(s.size)), Effect.orElseSucceed(() => 0))
      : 0
    const atomicFile = atomic
      ? yield* openAtomic(target.path).pipe(Effect.mapError(openFailure(target.path)))
      : undefined
    const file = atomicFile?.file ??
      (yield* fs.open(target.path, { flag: append ? "a" : "w" }).pipe(Effect.mapError(openFailure(target.path))))
    // The size of the file after the last write that went through whole.
    let goodSize = startSize
    let broken = false
    let closed = false
    const encoderOut = new TextEncoder()
    // A device or pipe (`-o /dev/full`) keeps nothing to resume from.
    const regular = yield* file.stat.pipe(Effect.map((info) => info.type === "File"), Effect.orElseSucceed(() => true))
    const safe = () =>
      atomic
        ? `nothing written to ${target.path}`
        : !regular
        ? `${written} records written`
        : options.resumable
        ? `${written + (target.kept ?? 0)} records kept; --resume to continue`
        : `${written} records kept`
    const fail = (error: unknown) =>
      Effect.gen(function*() {
        broken = true
        const failure = writeFailureOf(error)
        // Cut a torn record off (a full disk takes part of a write), or drop the temporary file.
        if (atomicFile !== undefined) yield* Effect.ignore(fs.remove(atomicFile.temp))
        else yield* Effect.ignore(file.truncate(goodSize))
        return yield* new OutputError({
          ...(failure.code === undefined ? {} : { code: failure.code }),
          written,
          message: `--output ${target.path}: ${describeWriteFailure(failure)} (${safe()})`
        })
      })
    const put = (text: string) => {
      if (text === "") return Effect.void
      const bytes = encoderOut.encode(text)
      return file.writeAll(bytes).pipe(
        Effect.matchEffect({
          onFailure: fail,
          onSuccess: () =>
            Effect.sync(() => {
              goodSize += bytes.length
            })
        })
      )
    }
    if (startSize === 0) yield* put(encoder.header)
    const finish = Effect.gen(function*() {
      yield* put(encoder.footer(first))
      yield* (atomicFile?.commit ?? syncIfPossible(file)).pipe(Effect.catchAll(fail))
    })
    const close = Effect.suspend(() => {
      if (closed || broken) return Effect.void
      closed = true
      return finish
    })
    // Interrupted without `close`: finish anyway (what was fetched is kept), but a broken
    // output is only cleaned up.
    yield* Effect.addFinalizer(() => Effect.ignore(close))
    return {
      write: (records) =>
        Effect.suspend(() => put(encode(records))).pipe(Effect.tap(() => {
          written += pendingCount
        })),
      close,
      written: () => written
    }
  })
