/**
 * The record written for every input: one per URL, in input order, whatever happened to it.
 *
 * @module
 */
import * as Schema from "effect/Schema"
import { fetchErrorTags } from "./FetchError.js"

/**
 * The `{ _tag, message }` of a failure, as it appears in output: `_tag` names one of the error
 * classes of `FetchError` (narrow on it; the class holds the fields a record does not).
 */
export const RecordError = Schema.Struct({
  _tag: Schema.Literal(...fetchErrorTags),
  message: Schema.String
})
export type RecordError = typeof RecordError.Type

/** Response headers as a record shows them: lower-case names; a repeated header as a list. */
export const RecordHeaders = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Array(Schema.String))
})
export type RecordHeaders = typeof RecordHeaders.Type

/**
 * Where the last attempt's time went, in ms (`--timings`): DNS, TCP connect and TLS of the
 * connections it opened (absent when it reused one), first byte and the whole attempt.
 */
export const RecordTimings = Schema.Struct({
  dns: Schema.optional(Schema.NonNegative),
  connect: Schema.optional(Schema.NonNegative),
  tls: Schema.optional(Schema.NonNegative),
  ttfb: Schema.NonNegative,
  total: Schema.NonNegative
})
export type RecordTimings = typeof RecordTimings.Type

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
  value: Schema.optional(Schema.Unknown),
  /** The URL of the last answer, when the request was redirected. */
  finalUrl: Schema.optional(Schema.String),
  /** The last answer's headers, with `--include-headers`. */
  headers: Schema.optional(RecordHeaders),
  /** The HTTP version of the last answer ("1.1" or "2"), with `--include-headers`, when known. */
  httpVersion: Schema.optional(Schema.Literal("1.1", "2")),
  /** Where the last attempt's time went, with `--timings`. */
  timings: Schema.optional(RecordTimings),
  /** The input's `id` (an NDJSON input line's). */
  id: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
  /** Where the body was saved (`--save-dir`), its size and SHA-256 (hex); the record has no body. */
  file: Schema.optional(Schema.String),
  bytes: Schema.optional(Schema.NonNegativeInt),
  sha256: Schema.optional(Schema.String)
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
  error: RecordError,
  finalUrl: Schema.optional(Schema.String),
  headers: Schema.optional(RecordHeaders),
  httpVersion: Schema.optional(Schema.Literal("1.1", "2")),
  timings: Schema.optional(RecordTimings),
  id: Schema.optional(Schema.Union(Schema.String, Schema.Number))
})
export type FailedRecord = typeof FailedRecord.Type

/** One line of volley's output. */
export const FetchRecord = Schema.Union(OkRecord, FailedRecord)
export type FetchRecord = typeof FetchRecord.Type

/** A record whose ok `value` is an extractor's typed `A` (`Volley.fetchAll(urls, { extract })`). */
export type FetchRecordOf<A> = (Omit<OkRecord, "value"> & { readonly value?: A }) | FailedRecord

/** Parses one NDJSON line into a record (used by `--resume` and by readers of volley's output). */
export const FetchRecordFromJson = Schema.parseJson(FetchRecord)
