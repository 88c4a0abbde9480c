/**
 * The shape of a workflow file (YAML or JSON), as a `Schema`.
 *
 * @module
 */
import * as Schema from "effect/Schema"
import { DurationFromText } from "../domain/DurationText.js"
import { Method } from "../domain/RequestSpec.js"
import { ExtractorSpec } from "../extract/ExtractorSpec.js"

const PositiveInt = Schema.Int.pipe(
  Schema.positive(),
  Schema.annotations({ message: () => "expected a positive integer" })
)
const NonNegativeInt = Schema.Int.pipe(
  Schema.nonNegative(),
  Schema.annotations({ message: () => "expected a whole number, 0 or more" })
)
const Duration = DurationFromText.annotations({ message: () => "expected a duration such as 500ms, 10s, 2m" })

/** A request: a URL template, or the full form. */
export const RequestField = Schema.Union(
  Schema.String,
  Schema.Struct({
    url: Schema.String,
    method: Schema.optional(Method),
    headers: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    body: Schema.optional(Schema.String)
  })
).annotations({ message: () => ({ message: "expected a URL, or { url, method, headers, body }", override: true }) })
export type RequestField = typeof RequestField.Type

/** Settings a step may set, and `defaults` may set for all. */
const StepSettings = {
  concurrency: Schema.optional(PositiveInt),
  timeout: Schema.optional(Duration),
  retries: Schema.optional(NonNegativeInt),
  /** Offer Accept-Encoding and undo Content-Encoding (default true; false is `--no-decompress`). */
  decompress: Schema.optional(Schema.Boolean)
}

/** An extractor: a JMESPath string, or one of `{ jmespath }`, `{ css, attr? }`, `{ regex, all? }`. */
export const ExtractField = ExtractorSpec
export type ExtractField = ExtractorSpec

/** A status list: `"200,304"`, `"2xx"`, `"200-299,404"`, a number, or a list of those. */
const StatusField = Schema.Union(Schema.String, Schema.Int, Schema.Array(Schema.Union(Schema.String, Schema.Int)))

/** What each answer of a step must pass: accepted statuses (instead of 2xx) and/or assertions. */
export const ExpectField = Schema.Struct({
  status: Schema.optional(StatusField),
  /** JMESPath over `{ status, headers, body, value, ms }`, each of which must be truthy. */
  assert: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String)))
}).annotations({
  message: () => ({ message: "expected { status, assert }", override: true })
})
export type ExpectField = typeof ExpectField.Type

/** Where a step saves its bodies: a directory, or `{ dir, name }` (name: as `--save-name`). */
export const SaveField = Schema.Union(
  Schema.String,
  Schema.Struct({ dir: Schema.String, name: Schema.optional(Schema.String) })
).annotations({ message: () => ({ message: "expected a directory, or { dir, name }", override: true }) })
export type SaveField = typeof SaveField.Type

export const StepSchema = Schema.Struct({
  request: RequestField,
  /** JMESPath over the context; the step runs once per element. */
  forEach: Schema.optional(Schema.String),
  needs: Schema.optional(Schema.Array(Schema.String)),
  extract: Schema.optional(ExtractField),
  expect: Schema.optional(ExpectField),
  /** Stream each successful body to a file in this directory instead of the record. */
  save: Schema.optional(SaveField),
  ...StepSettings
})
export type StepSchema = typeof StepSchema.Type

export const WorkflowSchema = Schema.Struct({
  name: Schema.optional(Schema.String),
  vars: Schema.optional(
    Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean) })
  ),
  defaults: Schema.optional(Schema.Struct(StepSettings)),
  steps: Schema.Record({ key: Schema.String, value: StepSchema })
})
export type WorkflowSchema = typeof WorkflowSchema.Type
