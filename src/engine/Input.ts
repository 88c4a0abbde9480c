/**
 * Where URLs come from: arguments, a file, or standard input, one per line, with blank lines and
 * `#` comments skipped and `{1..100}` ranges expanded. Input is a stream end to end, so a
 * million-line file is never held in memory.
 *
 * @module
 */
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { expandRanges } from "./RangeExpansion.js"

/** Whether a line holds a URL (not blank, not a `#` comment). */
const isUrlLine = (line: string): boolean => {
  const trimmed = line.trim()
  return trimmed !== "" && !trimmed.startsWith("#")
}

/** URL templates (before range expansion) from raw lines. */
export const templatesFromLines = <E, R>(lines: Stream.Stream<string, E, R>): Stream.Stream<string, E, R> =>
  lines.pipe(Stream.filter(isUrlLine), Stream.map((line) => line.trim()))

/** Splits a text stream (a file's contents, stdin) into lines. */
export const linesFromText = <E, R>(text: Stream.Stream<string, E, R>): Stream.Stream<string, E, R> =>
  Stream.splitLines(text)

/** The URLs of a chunk of templates, ranges expanded lazily (`{1..1000000}` is never a list). */
function* expandChunk(templates: Chunk.Chunk<string>): Generator<string> {
  for (const template of templates) {
    if (template.includes("{")) yield* expandRanges(template)
    else yield template
  }
}

/**
 * Expands ranges and numbers every URL: its index is its place in the input and the output.
 * Work is per chunk, not per URL (a stream step per URL was measured to cost more than the
 * request); only a chunk holding a range goes through the lazy expansion.
 */
export const indexRequests = <E, R>(templates: Stream.Stream<string, E, R>): Stream.Stream<IndexedRequest, E, R> =>
  Stream.suspend(() => {
    let index = 0
    return templates.pipe(
      Stream.chunks,
      Stream.flatMap((chunk) =>
        Chunk.some(chunk, (template) => template.includes("{"))
          ? Stream.fromIterable(expandChunk(chunk))
          : Stream.fromChunk(chunk)
      ),
      Stream.mapChunks(Chunk.map((url): IndexedRequest => ({ index: index++, request: { url } })))
    )
  })

/** The requests given by URL arguments then by lines of text (a file or stdin), in that order. */
export const inputRequests = <E = never, R = never>(
  args: ReadonlyArray<string>,
  text: Stream.Stream<string, E, R> | undefined
): Stream.Stream<IndexedRequest, E, R> => {
  const fromArgs = Stream.fromIterable(args).pipe(Stream.filter(isUrlLine))
  const fromText = text === undefined ? Stream.empty : templatesFromLines(linesFromText(text))
  return indexRequests(Stream.concat(fromArgs, fromText))
}
