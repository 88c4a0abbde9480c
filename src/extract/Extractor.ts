/**
 * An extractor turns an answer's body into the record's `value`. Extractors are compiled once,
 * before any request is sent, so an invalid query fails the run up front.
 *
 * @module
 */
import type * as Effect from "effect/Effect"
import type { DecodeError, ExtractError, SchemaError } from "../domain/FetchError.js"
import type { ResponseBody } from "../domain/ResponseBody.js"

/** The failures an extractor can report for one record. */
export type ExtractFailure = DecodeError | ExtractError | SchemaError

/** A compiled extraction, applied to each successful answer; the record's `value` is its `A`. */
export interface Extractor<A = unknown> {
  /** How the extractor was written, for messages (`jmespath data[0].fact`). */
  readonly description: string
  /** Whether the body must be JSON; a non-JSON body is then a `DecodeError`. */
  readonly needsJson: boolean
  readonly apply: (body: ResponseBody, url: string) => Effect.Effect<A, ExtractFailure>
}
