/**
 * JSON that keeps what the server sent: a depth check that runs before anything recursive sees a
 * body, a parse that keeps numbers exact, and a serialiser that writes them back as they were.
 *
 * - V8's `JSON.parse` does not recurse, but `JSON.stringify`, JMESPath, Ajv and `lossless-json`
 *   do: a body nested 200,000 deep ends the process with `Maximum call stack size exceeded` in
 *   any of them. {@link jsonDepthExceeds} finds such a body first, so it fails its own record.
 * - `JSON.parse` turns integers beyond 2^53 into their nearest double and `1e400` into
 *   `Infinity` (written back as `null`). A body that may hold such a number is parsed again with
 *   `lossless-json` (maintained, and it keeps every number it cannot represent exactly as a
 *   `LosslessNumber` holding the digits); the rest keep the native parse, which is 5× faster.
 *
 * @module
 */
import { isLosslessNumber, isSafeNumber, LosslessNumber, parse, stringify } from "lossless-json"

/**
 * The deepest nesting of arrays and objects a JSON body may have. Deeper bodies are a
 * `DecodeError` (serde_json stops at 128, .NET at 64; real APIs stay far below either).
 */
export const defaultMaxJsonDepth = 512

/**
 * The most `--max-json-depth` accepts: the recursive tools that read parsed bodies (the exact
 * parser, JMESPath, Ajv, `JSON.stringify`) were checked to 2,000 levels inside a run.
 */
export const maxJsonDepthLimit = 2000

/**
 * Whether `text` nests arrays and objects deeper than `max`, brackets inside strings aside.
 * Hand-written because no library checks depth without recursing; a body shorter than `2·max`
 * cannot be that deep, so the usual small answers are not scanned at all.
 */
export const jsonDepthExceeds = (text: string, max: number): boolean => {
  if (text.length <= 2 * max) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // a backslash: the next character is escaped
      else if (c === 34) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 91 || c === 123) {
      if (++depth > max) return true
    } else if (c === 93 || c === 125) {
      depth--
    }
  }
  return false
}

/**
 * Whether the native parse may change a number of `text`: a run of 16 or more digits (dots
 * included: `12345678.123456789`), or an exponent of three digits. Strings that look so only
 * cost the slower exact parse.
 */
const mayLoseNumbers = (text: string): boolean => /\d[\d.]{15}|[eE][+-]?\d{3}/.test(text)

/**
 * A number kept as its digits. volley's writers ({@link stringifyJson}) write it as the number it
 * is; a plain `JSON.stringify` (a library user's own) writes its digits as a string rather than
 * `{"isLosslessNumber":true,…}` or a rounded double.
 */
export class ExactNumber extends LosslessNumber {
  toJSON(): string {
    return this.value
  }
}

/** Safe numbers as JS numbers, the others as `ExactNumber` (their digits, as sent). */
const exactNumber = (digits: string): number | LosslessNumber =>
  isSafeNumber(digits) ? Number(digits) : new ExactNumber(digits)

/** A parse of JSON text that keeps big integers and long decimals exact. */
export interface ExactParse {
  readonly value: unknown
  /** Some number of the value is a `LosslessNumber`: write it with {@link stringifyJson}. */
  readonly exact: boolean
}

/**
 * Parses JSON text, numbers exact; `undefined` when it is not JSON. The caller has checked the
 * depth ({@link jsonDepthExceeds}): the exact parser recurses.
 */
export const parseExactJson = (text: string): ExactParse | undefined => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!mayLoseNumbers(text)) return { value, exact: false }
  try {
    return { value: parse(text, null, exactNumber), exact: true }
  } catch {
    // Both parsers are strict JSON; should they ever disagree, the native value stands.
    return { value, exact: false }
  }
}

/**
 * JSON text on one line, as sent: the text, trimmed, with its line breaks removed. Valid JSON
 * has no raw line break inside a string (they are escaped), so only whitespace between tokens
 * goes; numbers, escapes and key order stay byte for byte.
 */
export const oneLineJson = (text: string): string => {
  const trimmed = text.trim()
  return trimmed.includes("\n") || trimmed.includes("\r") ? trimmed.replace(/[\r\n]+/g, "") : trimmed
}

/**
 * `JSON.stringify` that writes `LosslessNumber`s as their digits and `BigInt`s as integers;
 * `undefined` for a value JSON has no text for.
 */
export const stringifyJson = (value: unknown): string | undefined => stringify(value)

/** The text of a template value or CSV cell that is a number kept exact. */
export const exactNumberText = (value: unknown): string | undefined =>
  isLosslessNumber(value) ? value.toString() : undefined
