/**
 * `--resume`: what an earlier, interrupted run already wrote. The output file is read line by
 * line (a last line cut short by a kill is dropped), rewritten without the records that will be
 * fetched again, and remembered as one bit and one URL hash per index — a few bytes per input,
 * not the records.
 *
 * The file is checked before anything is sent: a first line that is not a volley record is
 * refused (a typo'd `-o important.json --resume` must not rewrite a stranger's file) unless
 * `force`; a record whose index lies outside the input (when its size is known) is dropped; an
 * index past `maxResumeIndex` is refused as corrupt. The temporary copy is removed on every
 * exit path.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { FetchRecord } from "../domain/FetchRecord.js"
import { UsageError } from "../domain/UsageError.js"
import { openAtomic } from "../report/AtomicFile.js"

/** The largest index `--resume` tracks (its memory is 5 bytes per index, up to the largest). */
export const maxResumeIndex = 100_000_000

/** FNV-1a: a cheap 32-bit fingerprint of a URL, to notice an input that changed. */
const hashUrl = (url: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < url.length; i++) {
    hash ^= url.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

export interface ResumeState {
  /** Records kept from the earlier run. */
  readonly kept: number
  /** Lines dropped: unreadable (cut short), failed records to fetch again, or outside the input. */
  readonly dropped: number
  /** Of `dropped`, the records whose index lies outside the input. */
  readonly outside: number
  /** Whether input `index` is already in the file; fails when the file has another URL there. */
  readonly isDone: (index: number, url: string) => Either.Either<boolean, string>
}

const decodeRecord = Schema.decodeUnknownEither(FetchRecord)

const parseLine = (line: string): FetchRecord | undefined => {
  try {
    const decoded = decodeRecord(JSON.parse(line))
    return Either.isRight(decoded) ? decoded.right : undefined
  } catch {
    return undefined
  }
}

export interface ResumeOptions {
  /** Also fetch again the inputs whose record failed. */
  readonly retryFailed: boolean
  /** The number of inputs, when known before the run: records at or past it are dropped. */
  readonly total?: number | undefined
  /** Rewrite a file even when its first line is not a volley record. */
  readonly force?: boolean
}

/**
 * Reads `path` (NDJSON written by volley) and rewrites it to hold only the records kept: every
 * record, or only the successful ones when `retryFailed`. A missing file is an empty start.
 */
export const loadResumeState = (
  path: string,
  options: boolean | ResumeOptions
): Effect.Effect<ResumeState, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const { force = false, retryFailed, total } = typeof options === "boolean" ? { retryFailed: options } : options
    const fs = yield* FileSystem.FileSystem
    const exists = yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false))
    let done = new Uint8Array(1024)
    let hashes = new Uint32Array(1024)
    let kept = 0
    let dropped = 0
    let outside = 0
    const remember = (index: number, url: string) => {
      if (index >= done.length) {
        const size = Math.min(Math.max(index + 1, done.length * 2), maxResumeIndex + 1)
        const nextDone = new Uint8Array(size)
        nextDone.set(done)
        const nextHashes = new Uint32Array(size)
        nextHashes.set(hashes)
        done = nextDone
        hashes = nextHashes
      }
      const fresh = done[index] === 0
      done[index] = 1
      hashes[index] = hashUrl(url)
      return fresh
    }
    if (exists) {
      const temp = `${path}.volley-resume-${process.pid}`
      const failRead = (e: { readonly message: string }) =>
        new UsageError({ message: `--resume: cannot rewrite ${path}: ${e.message}` })
      const encoder = new TextEncoder()
      // What the first line was, and whether the file ends on a whole line.
      let firstLine: "none" | "record" | "foreign" = "none"
      let lines = 0
      let endsWithNewline = true
      let corrupt: string | undefined
      yield* Effect.scoped(Effect.gen(function*() {
        const { commit, file: out } = yield* openAtomic(path, temp).pipe(Effect.mapError(failRead))
        yield* fs.stream(path).pipe(
          Stream.decodeText(),
          Stream.tap((text) =>
            Effect.sync(() => {
              if (text !== "") endsWithNewline = text.endsWith("\n")
            })
          ),
          Stream.splitLines,
          Stream.mapError(failRead),
          Stream.runForEachChunk((chunk) => {
            let text = ""
            for (const line of chunk) {
              if (line.trim() === "") continue
              lines++
              const record = parseLine(line)
              if (firstLine === "none") firstLine = record === undefined ? "foreign" : "record"
              if (record === undefined || (retryFailed && !record.ok)) {
                dropped++
                continue
              }
              if (record.index > maxResumeIndex) {
                corrupt ??= `--resume: ${path} is corrupt or not volley's: a record has index ${record.index} ` +
                  `(--resume tracks up to ${maxResumeIndex})`
                continue
              }
              if (total !== undefined && record.index >= total) {
                dropped++
                outside++
                continue
              }
              if (!remember(record.index, record.url)) {
                dropped++
                continue
              }
              kept++
              text += line + "\n"
            }
            if (corrupt !== undefined) return Effect.fail(new UsageError({ message: corrupt }))
            return text === "" ? Effect.void : out.writeAll(encoder.encode(text)).pipe(Effect.mapError(failRead))
          })
        )
        // A lone first line cut short is what a run killed during its first write leaves.
        const tornStart = lines === 1 && !endsWithNewline
        if (firstLine === "foreign" && !force && !tornStart) {
          return yield* new UsageError({
            message: `--resume: ${path} does not start with a volley record; not rewriting it ` +
              `(check the path, or add --force to replace its contents)`
          })
        }
        yield* commit.pipe(Effect.mapError(failRead))
      }))
    }
    return {
      kept,
      dropped,
      outside,
      isDone: (index, url) => {
        if (index >= done.length || done[index] === 0) return Either.right(false)
        return hashes[index] === hashUrl(url)
          ? Either.right(true)
          : Either.left(`--resume: the input changed: index ${index} is now ${url}, but ${path} has another URL there`)
      }
    }
  })
