/**
 * The answer a transport makes of a response: its text by its charset (or base64), its headers,
 * its HTTP version.
 *
 * @module
 */
import * as Either from "effect/Either"
import { bodyText } from "./Charset.js"
import type { Answer, HttpVersion } from "./RequestGate.js"
import type { SendOutcome } from "./Transport.js"

/** The answer for a body's bytes: its text by its charset, or base64 when it is not text. */
export const makeAnswer = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  bytes: Buffer,
  url: string,
  rawHeaders?: Answer["rawHeaders"]
): Answer => {
  const body = bodyText(bytes, headers["content-type"])
  const answer: Answer = body.base64
    ? { status, headers, text: body.text, bodyEncoding: "base64", url }
    : { status, headers, text: body.text, url }
  return rawHeaders === undefined ? answer : { ...answer, rawHeaders }
}

/** The outcome with the HTTP version its answer came in (kept only with `--include-headers`). */
export const withHttpVersion = (outcome: SendOutcome, httpVersion: HttpVersion): SendOutcome =>
  outcome._tag === "Right" ? Either.right({ ...outcome.right, httpVersion }) : outcome
