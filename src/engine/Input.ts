/**
 * Where URLs come from: arguments, a file, or standard input, one per line, with blank lines and
 * `#` comments skipped and `{1..100}` ranges expanded. Input is a stream end to end, so a
 * million-line file is never held in memory.
 *
 * @module
 */
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { messageOf } from "../domain/ErrorText.js"
import { defaultMaxJsonDepth, jsonDepthExceeds, parseExactJson, stringifyJson } from "../domain/ExactJson.js"
import { InvalidInputLine } from "../domain/FetchError.js"
import { type IndexedRequest, Method } from "../domain/RequestSpec.js"
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

/** One line of `--input-format ndjson`: a request, with `json` as a shorthand for a JSON body. */
export const NdjsonRequest = Schema.Struct({
  url: Schema.String,
  method: Schema.optional(Method),
  headers: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  body: Schema.optional(Schema.String),
  json: Schema.optional(Schema.Unknown),
  id: Schema.optional(Schema.Union(Schema.String, Schema.Number))
})
export type NdjsonRequest = typeof NdjsonRequest.Type

const decodeLine = Schema.decodeUnknownEither(NdjsonRequest, { errors: "first", onExcessProperty: "error" })

/** The first problem of a decode, in one line: `at key: message`. */
const firstProblem = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return error.message
  return issue.path.length === 0 ? issue.message : `at ${issue.path.map(String).join(".")}: ${issue.message}`
}

/**
 * The `json` of a line serialised with its numbers as written: a big integer or a long decimal
 * goes out digit for digit, not rounded through a double.
 */
const exactJsonBody = (text: string, json: unknown): string | undefined => {
  const exact = parseExactJson(text)
  const value = exact?.exact === true ? (exact.value as { readonly json?: unknown }).json : json
  return stringifyJson(value)
}

/**
 * The request of one NDJSON line (`line`: its number in the input, from 1), or, when it is not
 * one, an input that fails with `InvalidInputLine` naming the line. `json` is serialised and
 * sets `Content-Type: application/json` (unless the line sets one); a body without a method is a
 * POST, as with curl's `-d`.
 */
export const parseNdjsonLine = (text: string, line: number): Omit<IndexedRequest, "index"> => {
  const invalid = (message: string) => ({
    request: { url: "" },
    invalid: new InvalidInputLine({ line, message: `input line ${line}: ${message}` })
  })
  if (jsonDepthExceeds(text, defaultMaxJsonDepth)) return invalid(`nested deeper than ${defaultMaxJsonDepth} levels`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    return invalid(`not JSON (${messageOf(cause)})`)
  }
  const decoded = decodeLine(value)
  if (Either.isLeft(decoded)) return invalid(`not a request ${firstProblem(decoded.left)}`)
  const { body, headers, id, json, method, url } = decoded.right
  if (body !== undefined && json !== undefined) return invalid("give \"body\" or \"json\", not both")
  const sent = json === undefined ? body : exactJsonBody(text, json)
  const withType =
    json !== undefined && !Object.keys(headers ?? {}).some((name) => name.toLowerCase() === "content-type")
      ? { ...headers, "content-type": "application/json" }
      : headers
  const chosen = method ?? (sent === undefined ? undefined : "POST")
  return {
    request: {
      url,
      ...(chosen === undefined ? {} : { method: chosen }),
      ...(withType === undefined ? {} : { headers: withType }),
      ...(sent === undefined ? {} : { body: sent })
    },
    ...(id === undefined ? {} : { id })
  }
}

/**
 * The requests of URL arguments (ranges expanded) then of NDJSON lines (one request each, never
 * expanded), numbered in that order. Blank lines and `#` comments are skipped; a line's number
 * counts them.
 */
export const ndjsonInputRequests = <E = never, R = never>(
  args: ReadonlyArray<string>,
  text: Stream.Stream<string, E, R> | undefined
): Stream.Stream<IndexedRequest, E, R> =>
  Stream.suspend(() => {
    let index = 0
    const fromArgs = indexRequests(Stream.fromIterable(args).pipe(Stream.filter(isUrlLine)))
    const fromText = text === undefined ? Stream.empty : linesFromText(text).pipe(
      Stream.zipWithIndex,
      Stream.filter(([line]) => isUrlLine(line)),
      Stream.map(([line, n]): IndexedRequest => ({ index: 0, ...parseNdjsonLine(line.trim(), n + 1) }))
    )
    return Stream.concat(fromArgs, fromText).pipe(
      Stream.map((input): IndexedRequest => ({ ...input, index: index++ }))
    )
  })
