/**
 * `--resume`: what an earlier, interrupted run already wrote. The output file is read line by
 * line (a last line cut short by a kill is dropped), rewritten without the records that will be
 * fetched again, and remembered as one bit and one URL hash per index — a few bytes per input,
 * not the records.
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
  /** Lines dropped: unreadable (cut short) or failed records to fetch again. */
  readonly dropped: number
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

/**
 * Reads `path` (NDJSON written by volley) and rewrites it to hold only the records kept: every
 * record, or only the successful ones when `retryFailed`. A missing file is an empty start.
 */
export const loadResumeState = (
  path: string,
  retryFailed: boolean
): Effect.Effect<ResumeState, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const exists = yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false))
    let done = new Uint8Array(1024)
    let hashes = new Uint32Array(1024)
    let kept = 0
    let dropped = 0
    const remember = (index: number, url: string) => {
      if (index >= done.length) {
        const size = Math.max(index + 1, done.length * 2)
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
      yield* Effect.scoped(Effect.gen(function*() {
        const out = yield* fs.open(temp, { flag: "w" }).pipe(Effect.mapError(failRead))
        yield* fs.stream(path).pipe(
          Stream.decodeText(),
          Stream.splitLines,
          Stream.mapError(failRead),
          Stream.runForEachChunk((lines) => {
            let text = ""
            for (const line of lines) {
              if (line.trim() === "") continue
              const record = parseLine(line)
              if (record === undefined || (retryFailed && !record.ok) || !remember(record.index, record.url)) {
                dropped++
                continue
              }
              kept++
              text += line + "\n"
            }
            return text === "" ? Effect.void : out.writeAll(encoder.encode(text)).pipe(Effect.mapError(failRead))
          })
        )
        yield* out.sync.pipe(Effect.mapError(failRead))
      }))
      yield* fs.rename(temp, path).pipe(Effect.mapError(failRead))
    }
    return {
      kept,
      dropped,
      isDone: (index, url) => {
        if (index >= done.length || done[index] === 0) return Either.right(false)
        return hashes[index] === hashUrl(url)
          ? Either.right(true)
          : Either.left(`--resume: the input changed: index ${index} is now ${url}, but ${path} has another URL there`)
      }
    }
  })
