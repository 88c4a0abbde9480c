/**
 * A record as one line of JSON. A JSON body goes in as the server sent it: the Fetcher keeps
 * the validated text beside the record, and it is spliced in rather than re-serialised — which
 * keeps every number, escape and key order, and costs less than `JSON.stringify` of the parse.
 *
 * @module
 */
import { messageOf } from "./ErrorText.js"
import { stringifyJson } from "./ExactJson.js"
import type { FetchRecord } from "./FetchRecord.js"

/** What the Fetcher knows of a record's JSON that the record's values do not show. */
interface RecordJsonText {
  /** The body's JSON text as sent, on one line. */
  readonly body: string | undefined
  /** The body or value holds `LosslessNumber`s: write them with `stringifyJson`. */
  readonly exact: boolean
}

const texts = new WeakMap<FetchRecord, RecordJsonText>()

/** Keeps the body's JSON text of `record` (and whether its values hold exact numbers). */
export const keepJsonText = <R extends FetchRecord>(record: R, body: string | undefined, exact: boolean): R => {
  if (body !== undefined || exact) texts.set(record, { body, exact })
  return record
}

/** The body's JSON text as sent, when the record came with one. */
export const jsonTextOf = (record: FetchRecord): string | undefined => texts.get(record)?.body

const exactOrNative = (value: unknown, exact: boolean): string | undefined =>
  exact ? stringifyJson(value) : JSON.stringify(value)

/** Field by field, in the order of `FetchRecord`: the body's text spliced in as it came. */
const spliced = (record: FetchRecord, text: RecordJsonText): string => {
  let out = `{"index":${record.index},"url":${JSON.stringify(record.url)},"ok":${record.ok}`
  if (record.status !== undefined) out += `,"status":${record.status}`
  out += `,"attempts":${record.attempts},"ms":${JSON.stringify(record.ms)}`
  const body = text.body ?? (record.body === undefined ? undefined : exactOrNative(record.body, text.exact))
  if (body !== undefined) out += `,"body":${body}`
  // A base64 body has no JSON text, so it is never spliced; written all the same, in its place.
  if (record.bodyEncoding !== undefined) out += `,"bodyEncoding":${JSON.stringify(record.bodyEncoding)}`
  if (record.ok) {
    const value = record.value === undefined ? undefined : exactOrNative(record.value, text.exact)
    if (value !== undefined) out += `,"value":${value}`
  } else {
    out += `,"error":${JSON.stringify(record.error)}`
  }
  if (record.finalUrl !== undefined) out += `,"finalUrl":${JSON.stringify(record.finalUrl)}`
  if (record.headers !== undefined) out += `,"headers":${JSON.stringify(record.headers)}`
  if (record.httpVersion !== undefined) out += `,"httpVersion":"${record.httpVersion}"`
  if (record.timings !== undefined) out += `,"timings":${JSON.stringify(record.timings)}`
  if (record.id !== undefined) out += `,"id":${JSON.stringify(record.id)}`
  if (record.ok && record.file !== undefined) {
    out += `,"file":${JSON.stringify(record.file)},"bytes":${record.bytes},"sha256":${JSON.stringify(record.sha256)}`
  }
  return out + "}"
}

/**
 * One record as JSON text. Never throws: a value JSON cannot hold (a `BigInt` from a library
 * extractor) is written exactly; one that cannot be written at all (a cycle) turns the line into
 * a failed record saying so, rather than ending the run.
 */
export const encodeRecord = (record: FetchRecord): string => {
  const text = texts.get(record)
  try {
    return text === undefined ? JSON.stringify(record) : spliced(record, text)
  } catch {
    try {
      return stringifyJson(record) ?? unwritable(record, "no JSON text")
    } catch (cause) {
      return unwritable(record, messageOf(cause))
    }
  }
}

const unwritable = (record: FetchRecord, reason: string): string =>
  JSON.stringify({
    index: record.index,
    url: record.url,
    ok: false,
    ...(record.status === undefined ? {} : { status: record.status }),
    attempts: record.attempts,
    ms: record.ms,
    error: { _tag: "DecodeError", message: `the record could not be written as JSON: ${reason}` }
  })
