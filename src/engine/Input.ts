/**
 * Where URLs come from: arguments, a file, or standard input, one per line, with blank lines and
 * `#` comments skipped and `{1..100}` ranges expanded. Input is a stream end to end, so a
 * million-line file is never held in memory.
 *
 * @module
 */
import { Stream } from "effect"
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

/** Expands ranges and numbers every URL: its index is its place in the input and the output. */
export const indexRequests = <E, R>(templates: Stream.Stream<string, E, R>): Stream.Stream<IndexedRequest, E, R> =>
  templates.pipe(
    Stream.mapConcat(expandRanges),
    Stream.zipWithIndex,
    Stream.map(([url, index]): IndexedRequest => ({ index, request: { url } }))
  )

/** The requests given by URL arguments then by lines of text (a file or stdin), in that order. */
export const inputRequests = <E = never, R = never>(
  args: ReadonlyArray<string>,
  text: Stream.Stream<string, E, R> | undefined
): Stream.Stream<IndexedRequest, E, R> => {
  const fromArgs = Stream.fromIterable(args).pipe(Stream.filter(isUrlLine))
  const fromText = text === undefined ? Stream.empty : templatesFromLines(linesFromText(text))
  return indexRequests(Stream.concat(fromArgs, fromText))
}
