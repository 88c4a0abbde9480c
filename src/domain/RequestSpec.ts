/**
 * What to send for one input. `volley fetch` builds these from URLs and run-wide flags; workflow
 * steps write them out in full.
 *
 * @module
 */
import * as Schema from "effect/Schema"
import type { InvalidInputLine, InvalidUrl } from "./FetchError.js"

/**
 * An HTTP method: any RFC 9110 token (`GET`, `PROPFIND`, `PURGE`), upper-cased on decode as the
 * standard methods are written.
 */
export const Method = Schema.Uppercase.pipe(
  Schema.compose(Schema.String.pipe(
    Schema.pattern(/^[!#$%&'*+.^_`|~0-9A-Z-]+$/, {
      message: () => "not an HTTP method (a token such as GET, POST or PROPFIND)"
    })
  ))
)
export type Method = typeof Method.Type

/** One request: a URL (not yet validated), and optionally a method, headers and a text body. */
export const RequestSpec = Schema.Struct({
  url: Schema.String,
  method: Schema.optional(Method),
  headers: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  body: Schema.optional(Schema.String)
})
export type RequestSpec = typeof RequestSpec.Type

/** An input with its position in the input, which is also its position in the output. */
export interface IndexedRequest {
  readonly index: number
  readonly request: RequestSpec
  /** The input's own name for it (an NDJSON line's `id`), copied to its record. */
  readonly id?: string | number
  /**
   * Why the input is not a request (a bad NDJSON line, a workflow item whose value made its URL
   * unsafe): its record fails with this, unsent.
   */
  readonly invalid?: InvalidInputLine | InvalidUrl
}
