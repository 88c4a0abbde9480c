/**
 * Resolves `volley fetch`'s inputs (URL arguments, `--input FILE`, `--input -` for stdin) into a
 * stream of requests, checking up front that the file exists.
 *
 * @module
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { UsageError } from "../domain/UsageError.js"
import { inputRequests, linesFromText, ndjsonInputRequests, templatesFromLines } from "../engine/Input.js"
import { countExpansions, validateRanges } from "../engine/RangeExpansion.js"
import { Stdin, type StdinService } from "./Stdin.js"

/** How `--input` lines are read: one URL each (ranges expanded), or one JSON request each. */
export const inputFormats = ["text", "ndjson"] as const
export type InputFormat = typeof inputFormats[number]

export interface ResolvedInput {
  readonly requests: Stream.Stream<IndexedRequest, UsageError>
  /** How many requests, when it can be known without consuming stdin. */
  readonly total: Effect.Effect<number | undefined, UsageError>
}

const stdinText = (stdin: StdinService): Stream.Stream<string, UsageError> =>
  NodeStream.fromReadable<UsageError, Uint8Array>(
    stdin.readable,
    (cause) => new UsageError({ message: `--input -: cannot read standard input: ${String(cause)}` })
  ).pipe(Stream.decodeText())

/** The requests given on the command line and in `--input`. */
export const resolveInput = (
  urls: ReadonlyArray<string>,
  input: Option.Option<string>,
  format: InputFormat = "text"
): Effect.Effect<ResolvedInput, UsageError, FileSystem.FileSystem | Stdin> =>
  Effect.gen(function*() {
    const requestsOf = format === "ndjson" ? ndjsonInputRequests : inputRequests
    const fs = yield* FileSystem.FileSystem
    // @effect/cli hands unknown flags over as positional values; a URL never starts with "-".
    const unknownFlag = urls.find((url) => url.startsWith("-"))
    if (unknownFlag !== undefined) {
      return yield* new UsageError({
        message: `unknown option '${unknownFlag.split("=")[0]}' (see volley fetch --help)`
      })
    }
    // A bad range in an argument is a typo to fix before anything is sent (in a file, a line
    // that is not a range is taken as written).
    for (const url of urls) {
      const checked = validateRanges(url.trim())
      if (Either.isLeft(checked)) {
        return yield* new UsageError({ message: `URL argument '${url.trim()}': ${checked.left}` })
      }
    }
    const argsTotal = urls.reduce((sum, url) => url.trim() === "" ? sum : sum + countExpansions(url.trim()), 0)
    if (Option.isNone(input)) {
      if (urls.length === 0) {
        return yield* new UsageError({ message: "no URLs: give URL arguments, or --input FILE (- for stdin)" })
      }
      return { requests: requestsOf(urls, undefined), total: Effect.succeed(argsTotal) }
    }
    const path = input.value
    if (path === "-") return { requests: requestsOf(urls, stdinText(yield* Stdin)), total: Effect.succeed(undefined) }
    const stat = yield* fs.stat(path).pipe(
      Effect.mapError(() => new UsageError({ message: `--input ${path}: no such file` }))
    )
    if (stat.type !== "File") return yield* new UsageError({ message: `--input ${path}: not a file` })
    const fileText = () =>
      fs.stream(path).pipe(
        Stream.mapError((e) => new UsageError({ message: `--input ${path}: cannot read: ${e.message}` })),
        Stream.decodeText()
      )
    // An NDJSON line is one request: its ranges are not expanded.
    const total = templatesFromLines(linesFromText(fileText())).pipe(
      Stream.runFold(argsTotal, (sum, template) => sum + (format === "ndjson" ? 1 : countExpansions(template)))
    )
    return { requests: requestsOf(urls, fileText()), total }
  })
