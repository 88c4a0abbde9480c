/**
 * A response body as volley keeps it: the text, and its JSON when it has any.
 *
 * @module
 */
import * as Option from "effect/Option"
import { defaultMaxJsonDepth, jsonDepthExceeds, oneLineJson, parseExactJson } from "./ExactJson.js"
import { DecodeError } from "./FetchError.js"

/** A body read in full. `json` is set when the text parsed as JSON. */
export interface ResponseBody {
  readonly text: string
  readonly contentType: string | undefined
  /** The parsed JSON; numbers a JS number cannot hold exactly are `LosslessNumber`s. */
  readonly json: Option.Option<unknown>
  /** Set when the body is not text: `text` is then the base64 of its bytes. */
  readonly bodyEncoding?: "base64"
  /** When `json` is set: the JSON as sent, on one line, for records to splice in unchanged. */
  readonly jsonText: string | undefined
  /** When `json` has a `LosslessNumber`: values taken from it are written with `stringifyJson`. */
  readonly exactNumbers: boolean
  /** Why JSON was looked for and refused without parsing: nested deeper than the limit. */
  readonly jsonProblem: string | undefined
}

/** Whether a content type announces JSON (`application/json`, `application/problem+json`, …). */
export const isJsonContentType = (contentType: string | undefined): boolean => {
  if (contentType === undefined) return false
  // A run sees the same few content types again and again: each is judged once.
  let known = jsonContentTypes.get(contentType)
  if (known === undefined) {
    const mime = contentType.split(";", 1)[0]!.trim().toLowerCase()
    known = mime === "application/json" || mime.endsWith("+json") || mime === "text/json"
    if (jsonContentTypes.size < 256) jsonContentTypes.set(contentType, known)
  }
  return known
}

const jsonContentTypes = new Map<string, boolean>()

const textOnly = (text: string, contentType: string | undefined, jsonProblem: string | undefined): ResponseBody => ({
  text,
  contentType,
  json: Option.none(),
  jsonText: undefined,
  exactNumbers: false,
  jsonProblem
})

/**
 * Builds the body of an answer. JSON is parsed when the answer says it is JSON, or when
 * `wantJson` is set (an extractor needs JSON whatever the server claims); never for a body
 * that is not text (`base64`: `text` is then the base64 of its bytes). A body nested deeper
 * than `maxDepth` is not parsed and says so in `jsonProblem`.
 */
export const makeResponseBody = (
  text: string,
  contentType: string | undefined,
  wantJson: boolean,
  base64 = false,
  maxDepth: number = defaultMaxJsonDepth
): ResponseBody => {
  if (base64) return { ...textOnly(text, contentType, undefined), bodyEncoding: "base64" }
  if (!wantJson && !isJsonContentType(contentType)) return textOnly(text, contentType, undefined)
  if (jsonDepthExceeds(text, maxDepth)) {
    return textOnly(text, contentType, `JSON nested deeper than ${maxDepth} levels (--max-json-depth)`)
  }
  const parsed = parseExactJson(text)
  return parsed === undefined ? textOnly(text, contentType, undefined) : {
    text,
    contentType,
    json: Option.some(parsed.value),
    jsonText: oneLineJson(text),
    exactNumbers: parsed.exact,
    jsonProblem: undefined
  }
}

/** The record's `body`: the parsed JSON when there is some, else the text. */
export const recordBody = (body: ResponseBody): unknown => Option.getOrElse(body.json, () => body.text)

/** The start of a body, on one line, for error messages. */
export const preview = (text: string, max = 60): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > max ? JSON.stringify(line.slice(0, max) + "…") : JSON.stringify(line)
}

/** The `DecodeError` of a body that had to be JSON and is not; `consequence` says what could not run. */
export const notJson = (body: ResponseBody, url: string, consequence?: string): DecodeError =>
  new DecodeError({
    url,
    message: `body is not JSON (${body.contentType ?? "no content type"})${
      consequence === undefined ? "" : `, ${consequence}`
    }: ${preview(body.text)}`
  })
