/**
 * The HAR writer: entries from records and their exchanges, secrets redacted, credentials out of
 * URLs, inputs never sent left out, and the file valid against the HAR 1.2 schema.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect } from "effect"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import { makeExchangeLog } from "../../src/http/ExchangeLog.js"
import { sensitiveHeaders, withSecretHeaders } from "../../src/http/FetchOptions.js"
import { openHarWriter } from "../../src/report/HarWriter.js"
import { makeCapture } from "../support/Capture.js"
import { harErrors } from "../support/HarSchema.js"

const records: ReadonlyArray<FetchRecord> = [
  { index: 0, url: "http://user:pw@api.test/items?page=2&q=a%20b", ok: true, status: 200, attempts: 1, ms: 12.5 },
  { index: 1, url: "not a url", ok: false, attempts: 0, ms: 0, error: { _tag: "InvalidUrl", message: "not a URL" } },
  { index: 2, url: "http://api.test/logo.png", ok: true, status: 200, attempts: 1, ms: 4 },
  {
    index: 3,
    url: "http://api.test/submit",
    ok: false,
    attempts: 2,
    ms: 30,
    error: { _tag: "TransportError", message: "connection refused" }
  }
]

const writeHar = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  const path = `${dir}/run.har`
  const log = makeExchangeLog()
  log.put(0, {
    startedMs: Date.parse("2026-01-02T03:04:05.000Z"),
    method: "GET",
    url: "http://user:pw@api.test/items?page=2&q=a%20b",
    headers: { authorization: "Bearer s3cret", "user-agent": "volley/0.1.0", "x-team-key": "t3am" },
    body: undefined,
    // The run's list: volley's names and a --secret-header one.
    secretHeaders: withSecretHeaders(["X-Team-Key"]),
    answer: {
      status: 200,
      headers: { "content-type": "application/json", "set-cookie": "session=abc" },
      text: "{\"items\":[\"é\"]}",
      url: "http://api.test/items/v2?page=2"
    }
  })
  log.put(2, {
    startedMs: Date.parse("2026-01-02T03:04:07.000Z"),
    method: "GET",
    url: "http://api.test/logo.png",
    headers: {},
    body: undefined,
    secretHeaders: sensitiveHeaders,
    answer: {
      status: 200,
      headers: { "content-type": "image/png", "content-encoding": "gzip" },
      text: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString("base64"),
      bodyEncoding: "base64",
      url: "http://api.test/logo.png",
      // The last attempt's phases: a new TLS connection to an IP (no DNS).
      timings: { connect: 0.5, tls: 1.5, ttfb: 3, total: 3.6 }
    }
  })
  log.put(3, {
    startedMs: Date.parse("2026-01-02T03:04:06.000Z"),
    method: "POST",
    url: "http://api.test/submit",
    headers: { "x-api-key": "k" },
    body: "{\"a\":1}",
    secretHeaders: sensitiveHeaders,
    answer: undefined
  })
  yield* Effect.scoped(Effect.gen(function*() {
    const writer = yield* openHarWriter({ _tag: "File", path, append: false }, log)
    yield* writer.write(Chunk.fromIterable(records))
  })).pipe(Effect.provide(makeCapture().stdout))
  return JSON.parse(yield* fs.readFileString(path))
})

describe("HAR writer", () => {
  it.scoped("a HAR 1.2 file valid against the schema, one entry per request sent", () =>
    Effect.gen(function*() {
      const har = yield* writeHar
      expect(harErrors(har)).toEqual([])
      expect(har.log).toMatchObject({ version: "1.2", creator: { name: "volley" } })
      expect(har.log.entries).toHaveLength(3)
      const [items, logo, submit] = har.log.entries
      // A body that is not text is base64, as HAR writes it; decoded from gzip, its wire size is unknown.
      // HAR's connect includes ssl; blocked is the time before the last attempt; the sum is the time.
      expect(logo.timings).toEqual({ blocked: 0.4, dns: -1, connect: 2, ssl: 1.5, send: 0, wait: 1, receive: 0.6 })
      const { blocked, connect, receive, send, wait } = logo.timings
      expect(blocked + connect + send + wait + receive).toBeCloseTo(logo.time, 5)
      expect(logo.response).toMatchObject({
        content: { size: 4, mimeType: "image/png", text: "iVBORw==", encoding: "base64" },
        bodySize: -1
      })
      expect(items).toMatchObject({
        startedDateTime: "2026-01-02T03:04:05.000Z",
        time: 12.5,
        request: {
          method: "GET",
          url: "http://api.test/items?page=2&q=a%20b",
          headers: [
            { name: "authorization", value: "<redacted>" },
            { name: "user-agent", value: "volley/0.1.0" },
            { name: "x-team-key", value: "<redacted>" }
          ],
          queryString: [{ name: "page", value: "2" }, { name: "q", value: "a b" }]
        },
        response: {
          status: 200,
          statusText: "OK",
          headers: [{ name: "content-type", value: "application/json" }, { name: "set-cookie", value: "<redacted>" }],
          content: { size: 16, mimeType: "application/json", text: "{\"items\":[\"é\"]}" }
        },
        // No timings in its exchange: the time is all wait.
        timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 12.5, receive: 0 },
        _volley: { index: 0, ok: true, attempts: 1, finalUrl: "http://api.test/items/v2?page=2" }
      })
      expect(submit).toMatchObject({
        request: {
          method: "POST",
          headers: [{ name: "x-api-key", value: "<redacted>" }],
          postData: { mimeType: "application/json", text: "{\"a\":1}" },
          bodySize: 7
        },
        response: { status: 0, statusText: "", headers: [], content: { size: 0, mimeType: "" } },
        _volley: { ok: false, attempts: 2, error: { _tag: "TransportError", message: "connection refused" } }
      })
      expect(JSON.stringify(har)).not.toMatch(/s3cret|t3am|session=abc|user:pw/)
    }).pipe(Effect.provide(NodeContext.layer)))

  it("the schema check is a real one: a broken entry is refused", () => {
    expect(harErrors({ log: { version: "1.2", creator: { name: "x", version: "1" }, entries: [{ time: 1 }] } }))
      .not.toEqual([])
  })
})
