/**
 * The record written for every input: one per URL, in input order, whatever happened to it.
 *
 * @module
 */
import * as Schema from "effect/Schema"

/** The `{ _tag, message }` of a failure, as it appears in output. */
export const RecordError = Schema.Struct({
  _tag: Schema.String,
  message: Schema.String
})
export type RecordError = typeof RecordError.Type

/** An input that was fetched (and, when asked, extracted and validated) successfully. */
export const OkRecord = Schema.Struct({
  index: Schema.NonNegativeInt,
  url: Schema.String,
  ok: Schema.Literal(true),
  status: Schema.Int,
  attempts: Schema.NonNegativeInt,
  ms: Schema.NonNegative,
  /** The parsed JSON when the answer says JSON, else the text (base64 when `bodyEncoding` says so). */
  body: Schema.optional(Schema.Unknown),
  /** `"base64"` when the body is not text; absent for text bodies. */
  bodyEncoding: Schema.optional(Schema.Literal("base64")),
  /** The extracted value, when an extractor was given. */
  value: Schema.optional(Schema.Unknown)
})
export type OkRecord = typeof OkRecord.Type

/** An input that failed; `status` is present when an answer came. */
export const FailedRecord = Schema.Struct({
  index: Schema.NonNegativeInt,
  url: Schema.String,
  ok: Schema.Literal(false),
  status: Schema.optional(Schema.Int),
  attempts: Schema.NonNegativeInt,
  ms: Schema.NonNegative,
  body: Schema.optional(Schema.Unknown),
  bodyEncoding: Schema.optional(Schema.Literal("base64")),
  error: RecordError
})
export type FailedRecord = typeof FailedRecord.Type

/** One line of volley's output. */
export const FetchRecord = Schema.Union(OkRecord, FailedRecord)
export type FetchRecord = typeof FetchRecord.Type

/** Parses one NDJSON line into a record (used by `--resume` and by readers of volley's output). */
export const FetchRecordFromJson = Schema.parseJson(FetchRecord)
