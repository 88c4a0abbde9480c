/**
 * The Fetcher against a server that answers as real ones do: what it offers (Accept-Encoding),
 * what it decodes, and how bodies that are not text are recorded.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { jmespathExtractor } from "../../src/extract/JmesPath.js"
import { acceptEncoding } from "../../src/http/Decompression.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import type { FetchOptions } from "../../src/http/FetchOptions.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { sample, startRealWebServer } from "../support/RealWebServer.js"

const fetch = (url: string, options: Partial<FetchOptions> = {}, headers?: Record<string, string>) =>
  Effect.flatMap(Fetcher, (fetcher) =>
    fetcher.fetchOne(
      { index: 0, request: headers === undefined ? { url } : { url, headers } },
      makeFetchOptions({ retry: { retries: 0, backoff: "10 millis", maxBackoff: "10 millis" }, ...options })
    ))

layer(Fetcher.Default.pipe(Layer.provide(undiciLayer())), { excludeTestServices: true })(
  "Fetcher on the real web",
  (it) => {
    it.scoped("offers Accept-Encoding by default, and decodes the answer", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const echo = yield* fetch(`${url}/echo`)
        expect(echo).toMatchObject({ ok: true, body: { headers: { "accept-encoding": acceptEncoding } } })
        expect(yield* fetch(`${url}/br`)).toMatchObject({ ok: true, body: JSON.parse(sample) })
      }))

    it.scoped("a request that sets its own Accept-Encoding gets the body as sent", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const mine = yield* fetch(`${url}/echo`, { headers: { "Accept-Encoding": "identity" } })
        expect(mine).toMatchObject({ body: { headers: { "accept-encoding": "identity" } } })
        const raw = yield* fetch(`${url}/gzip`, {}, { "accept-encoding": "gzip" })
        expect(raw).toMatchObject({ ok: true, bodyEncoding: "base64" })
      }))

    it.scoped("with decompress off, nothing is offered and nothing decoded", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const echo = yield* fetch(`${url}/echo`, { decompress: false })
        expect((echo as { body: { headers: Record<string, string> } }).body.headers["accept-encoding"]).toBeUndefined()
        expect(yield* fetch(`${url}/gzip`, { decompress: false })).toMatchObject({ ok: true, bodyEncoding: "base64" })
      }))

    it.scoped("a body that does not decode fails its record with DecodeError, not retried", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const record = yield* fetch(`${url}/corrupt`, {
          retry: { retries: 3, backoff: "10 millis", maxBackoff: "10 millis" }
        })
        expect(record).toMatchObject({ ok: false, attempts: 1, error: { _tag: "DecodeError" } })
      }))

    it.scoped("binary bodies are records with base64 and bodyEncoding; text bodies have no such field", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const png = yield* fetch(`${url}/png`)
        expect(png).toMatchObject({ ok: true, body: "iVBORw0KGgoAAAANSUhEUg==", bodyEncoding: "base64" })
        const latin1 = yield* fetch(`${url}/latin1`)
        expect(latin1).toMatchObject({ ok: true, body: "café" })
        expect(Object.keys(latin1)).not.toContain("bodyEncoding")
        // Without the body, there is nothing to say about its encoding.
        expect(Object.keys(yield* fetch(`${url}/png`, { keepBody: false }))).not.toContain("bodyEncoding")
      }))

    it.scoped("an extractor on a binary body fails with a typed error", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const record = yield* fetch(`${url}/octets`, { extractor: yield* jmespathExtractor("a") })
        expect(record).toMatchObject({
          ok: false,
          status: 200,
          bodyEncoding: "base64",
          error: {
            _tag: "DecodeError",
            message: "the body is not text (application/octet-stream): nothing to extract from"
          }
        })
      }))
  }
)
