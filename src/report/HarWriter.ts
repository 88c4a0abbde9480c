/**
 * `--format har`: an HTTP Archive 1.2 file, which Chrome's and Firefox's network panels import.
 * One entry per record, in input order: the request (method, URL, headers, query string, body),
 * the last answer (status, headers, body text) and the time it took. Secret headers
 * (`Authorization`, cookies, API keys: volley's `sensitiveHeaders` and `--secret-header` names)
 * are written `<redacted>`,
 * and credentials are taken out of URLs.
 *
 * Records do not carry headers, so the run hands the Fetcher an `ExchangeLog` and the writer
 * takes each record's exchange from it when it writes the record. The file is streamed as
 * records arrive, to a temporary name renamed into place at the end (never half a file).
 *
 * An entry's `time` is the input's whole time, retries included. The last attempt's phases (the
 * transport's timings, which a HAR run asks for) split it: `blocked` is what came before that
 * attempt (earlier attempts, backoff, the gate), then `dns`, `connect` (TLS included, as HAR
 * says), `wait` (to the first byte) and `receive`; a phase the attempt skipped (a reused socket)
 * is -1. Without timings (no answer, a client of one's own), the time is all `wait`.
 *
 * @module
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { STATUS_CODES } from "node:http"
import { roundMs } from "../domain/DurationText.js"
import type { FetchRecord } from "../domain/FetchRecord.js"
import type { OutputClosed, OutputError } from "../domain/OutputError.js"
import type { UsageError } from "../domain/UsageError.js"
import { version } from "../domain/Version.js"
import type { Timings } from "../http/ConnectTimings.js"
import type { Exchange, ExchangeLog } from "../http/ExchangeLog.js"
import { redactHeaders } from "../http/FetchOptions.js"
import { bodyContentType } from "../http/RequestHeaders.js"
import { withoutCredentials } from "../observability/SafeUrl.js"
import type { RecordFormat } from "./RecordFormat.js"
import { openEncodedWriter, type OutputTarget, type RecordWriter } from "./RecordWriter.js"
import type { Stdout } from "./Stdout.js"

interface NameValue {
  readonly name: string
  readonly value: string
}

/** Headers as HAR lists them, secret values redacted. */
const harHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  secret: ReadonlySet<string> | undefined
): Array<NameValue> => {
  const plain: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) plain[name] = value
  return Object.entries(redactHeaders(plain, secret)).map(([name, value]) => ({
    name,
    value: Redacted.isRedacted(value) ? String(value) : value
  }))
}

const queryString = (url: string): Array<NameValue> => {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }))
  } catch {
    return []
  }
}

const byteLength = (text: string) => Buffer.byteLength(text, "utf8")

const headerOf = (headers: Readonly<Record<string, string | undefined>>, name: string) => {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value
  return undefined
}

/** HAR's phases of an entry that took `ms`, from its last attempt's `timings` when it has them. */
const harTimings = (ms: number, timings: Timings | undefined) => {
  if (timings === undefined) return { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: ms, receive: 0 }
  const dns = timings.dns ?? -1
  const ssl = timings.tls ?? -1
  // HAR's connect includes the TLS handshake.
  const connect = timings.connect === undefined ? -1 : roundMs(timings.connect + Math.max(0, ssl))
  const before = Math.max(0, dns) + Math.max(0, connect)
  return {
    blocked: roundMs(Math.max(0, ms - timings.total)),
    dns,
    connect,
    ssl,
    send: 0,
    wait: roundMs(Math.max(0, timings.ttfb - before)),
    receive: roundMs(Math.max(0, timings.total - timings.ttfb))
  }
}

/** One record (and its exchange, when there was one) as a HAR entry. */
export const harEntry = (record: FetchRecord, exchange: Exchange | undefined, nowMs: number) => {
  const answer = exchange?.answer
  const url = withoutCredentials(exchange?.url ?? record.url)
  const requestHeaders = exchange === undefined ? [] : harHeaders(exchange.headers, exchange.secretHeaders)
  const body = exchange?.body
  const status = answer?.status ?? 0
  // A body that is not text is kept as base64, which HAR says with `encoding`.
  const binary = answer?.bodyEncoding === "base64"
  const contentSize = answer === undefined
    ? 0
    : binary
    ? Buffer.byteLength(answer.text, "base64")
    : byteLength(answer.text)
  // Bodies are decoded (gzip, br…): the size on the wire is unknown then.
  const encoded = answer !== undefined && headerOf(answer.headers, "content-encoding") !== undefined
  const mimeType = answer === undefined ? "" : headerOf(answer.headers, "content-type") ?? ""
  const finalUrl = answer === undefined ? url : withoutCredentials(answer.url)
  // The version the answer came in; HAR has no "unknown", and undici's HTTP/1.1 is the default.
  const httpVersion = answer?.httpVersion === "2" ? "HTTP/2" : "HTTP/1.1"
  return {
    startedDateTime: new Date(exchange?.startedMs ?? nowMs - record.ms).toISOString(),
    time: record.ms,
    request: {
      method: exchange?.method ?? "GET",
      url,
      httpVersion,
      cookies: [],
      headers: requestHeaders,
      queryString: queryString(url),
      ...(body === undefined
        ? {}
        : {
          postData: {
            mimeType: bodyContentType(exchange?.headers ?? {}, body),
            // Bytes (a multipart form): HAR's postData has only text; latin1 keeps every byte.
            text: typeof body === "string" ? body : Buffer.from(body).toString("latin1")
          }
        }),
      headersSize: -1,
      bodySize: body === undefined ? 0 : typeof body === "string" ? byteLength(body) : body.byteLength
    },
    response: {
      status,
      statusText: answer === undefined ? "" : STATUS_CODES[status] ?? "",
      httpVersion,
      cookies: [],
      headers: answer === undefined ? [] : harHeaders(answer.headers, exchange?.secretHeaders),
      content: {
        size: contentSize,
        mimeType,
        ...(answer === undefined ? {} : { text: answer.text }),
        ...(binary ? { encoding: "base64" } : {})
      },
      // Redirects were followed: this is the last answer, not a 3xx (`_volley.finalUrl` says where).
      redirectURL: "",
      headersSize: -1,
      bodySize: answer === undefined || encoded ? -1 : contentSize
    },
    cache: {},
    timings: harTimings(record.ms, answer?.timings),
    // Custom fields start with an underscore (HAR 1.2): what volley knows of the outcome.
    _volley: {
      index: record.index,
      ok: record.ok,
      attempts: record.attempts,
      ...(finalUrl === url ? {} : { finalUrl }),
      ...(record.ok ? {} : { error: record.error })
    }
  }
}

/**
 * The HAR text around the entries: the log, its creator, and the entries' list. An input that
 * was never sent (not a URL) has no exchange and no entry: HAR records HTTP traffic.
 */
const harFormat = (log: ExchangeLog | undefined, clock: Clock.Clock): RecordFormat => {
  let entries = 0
  return {
    header: `{"log":{"version":"1.2","creator":${
      JSON.stringify({ name: "volley", version, comment: "volley fetch" })
    },"pages":[],"entries":[`,
    record: (record) => {
      const exchange = log?.take(record.index)
      if (exchange === undefined && record.attempts === 0) return ""
      return (entries++ === 0 ? "\n" : ",\n") +
        JSON.stringify(harEntry(record, exchange, clock.unsafeCurrentTimeMillis()))
    },
    footer: () => (entries === 0 ? "]}}\n" : "\n]}}\n")
  }
}

/**
 * Opens a HAR writer in the current scope; `log` is the run's exchange log (without one, entries
 * have what records hold: no headers, no body text).
 */
export const openHarWriter = (
  target: OutputTarget,
  log: ExchangeLog | undefined
): Effect.Effect<
  RecordWriter,
  UsageError | OutputError | OutputClosed,
  Scope.Scope | Stdout | FileSystem.FileSystem
> =>
  Effect.flatMap(
    Effect.clock,
    (clock) => openEncodedWriter(harFormat(log, clock), target, { atomic: true, resumable: false })
  )
