/**
 * A response body as volley keeps it: the text, and its JSON when it has any.
 *
 * @module
 */
import * as Option from "effect/Option"

/** A body read in full. `json` is set when the text parsed as JSON. */
export interface ResponseBody {
  readonly text: string
  readonly contentType: string | undefined
  readonly json: Option.Option<unknown>
  /** Set when the body is not text: `text` is then the base64 of its bytes. */
  readonly bodyEncoding?: "base64"
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

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

/**
 * Builds the body of an answer. JSON is parsed when the answer says it is JSON, or when
 * `wantJson` is set (an extractor needs JSON whatever the server claims); never for a body
 * that is not text (`base64`: `text` is then the base64 of its bytes).
 */
export const makeResponseBody = (
  text: string,
  contentType: string | undefined,
  wantJson: boolean,
  base64 = false
): ResponseBody =>
  base64
    ? { text, contentType, json: Option.none(), bodyEncoding: "base64" }
    : { text, contentType, json: wantJson || isJsonContentType(contentType) ? parseJson(text) : Option.none() }

/** The record's `body`: the parsed JSON when there is some, else the text. */
export const recordBody = (body: ResponseBody): unknown => Option.getOrElse(body.json, () => body.text)
