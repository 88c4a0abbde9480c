/**
 * How records become text: NDJSON (one record per line), JSON (one array) and CSV
 * (`index,url,ok,status,attempts,ms,value,error,bodyEncoding`, via `csv-stringify`, which gets quoting right).
 *
 * @module
 */
import { stringify } from "csv-stringify/sync"
import { messageOf } from "../domain/ErrorText.js"
import { exactNumberText, stringifyJson } from "../domain/ExactJson.js"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { encodeRecord } from "../domain/RecordJson.js"

export const formats = ["ndjson", "json", "csv"] as const
export type Format = typeof formats[number]

/** An encoder: text before the first record, for each record, and after the last. */
export interface RecordFormat {
  readonly header: string
  /** `first` tells whether this is the first record written (JSON needs commas between). */
  readonly record: (record: FetchRecord, first: boolean) => string
  readonly footer: (empty: boolean) => string
}

const ndjson: RecordFormat = {
  header: "",
  // A JSON body is spliced in as sent (see RecordJson): never re-serialised.
  record: (record) => encodeRecord(record) + "\n",
  footer: () => ""
}

const json: RecordFormat = {
  header: "[",
  record: (record, first) => (first ? "\n  " : ",\n  ") + encodeRecord(record),
  footer: (empty) => (empty ? "]\n" : "\n]\n")
}

/** `bodyEncoding` is `base64` for a body that is not text (as in the JSON records), else empty. */
const csvColumns = ["index", "url", "ok", "status", "attempts", "ms", "value", "error", "bodyEncoding"] as const

/** A CSV cell: scalars as they are, structured values as JSON (big numbers exact). */
const cell = (value: unknown): string | number | boolean =>
  value === undefined || value === null
    ? ""
    : typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? value
    : exactNumberText(value) ?? safeJson(value)

const safeJson = (value: unknown): string => {
  try {
    return stringifyJson(value) ?? ""
  } catch (cause) {
    return `(not writable as JSON: ${messageOf(cause)})`
  }
}

const csv: RecordFormat = {
  header: stringify([csvColumns as unknown as Array<string>]),
  record: (record) =>
    stringify([[
      record.index,
      record.url,
      record.ok,
      cell(record.status),
      record.attempts,
      record.ms,
      record.ok ? cell(record.value) : "",
      record.ok ? "" : `${record.error._tag}: ${record.error.message}`,
      record.bodyEncoding ?? ""
    ]], { cast: { boolean: (b) => String(b) } }),
  footer: () => ""
}

/** The encoder of a format. */
export const recordFormat = (format: Format): RecordFormat =>
  format === "ndjson" ? ndjson : format === "json" ? json : csv
