/**
 * Response metadata in records, on both transports against loopback servers: `finalUrl` after a
 * redirect, `headers` with `includeHeaders` (lower-case, repeats as lists), nothing more without.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { encodeRecord } from "../../src/domain/RecordJson.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import type { FetchOptions } from "../../src/http/FetchOptions.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import { httpClientTransportLayer, undiciLayer } from "../../src/http/TransportLayer.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

const handler = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === "/hop") return res.writeHead(302, { location: "/end" }).end()
  if (req.url === "/json-hop") return res.writeHead(307, { location: "/json" }).end()
  if (req.url === "/json") return res.writeHead(200, { "content-type": "application/json" }).end("{\"n\":1.0}")
  if (req.url === "/gone-after-hop") return res.writeHead(301, { location: "/missing" }).end()
  const status = req.url === "/missing" ? 404 : 200
  res.setHeader("Content-Type", "text/plain")
  res.setHeader("X-Token", "abc")
  res.setHeader("Set-Cookie", ["a=1; Path=/", "b=2; Path=/"])
  res.setHeader("Link", ["</p/2>; rel=next", "</p/9>; rel=last"])
  res.writeHead(status).end("hi")
}

const lanes = {
  fast: undiciLayer(),
  generic: httpClientTransportLayer.pipe(Layer.provide(undiciLayer()))
}

const fetchWith = (lane: keyof typeof lanes, url: string, options: FetchOptions = makeFetchOptions()) =>
  Effect.flatMap(Fetcher, (fetcher) => fetcher.fetchOne({ index: 0, request: { url } }, options)).pipe(
    Effect.provide(Fetcher.Default.pipe(Layer.provide(lanes[lane])))
  )

const noRetry = { retries: 0, backoff: "1 millis", maxBackoff: "1 millis" } as const

describe("Fetcher response metadata", () => {
  it.scoped("both transports give the same finalUrl and headers", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(handler)
      const options = makeFetchOptions({ includeHeaders: true, retry: noRetry })
      const results = []
      for (const lane of ["fast", "generic"] as const) {
        const redirected = yield* fetchWith(lane, `${server.url}/hop`, options)
        expect(redirected).toMatchObject({ ok: true, url: `${server.url}/hop`, finalUrl: `${server.url}/end` })
        expect(redirected.headers).toMatchObject({
          "content-type": "text/plain",
          "x-token": "abc",
          "set-cookie": ["a=1; Path=/", "b=2; Path=/"],
          link: ["</p/2>; rel=next", "</p/9>; rel=last"]
        })
        const failed = yield* fetchWith(lane, `${server.url}/gone-after-hop`, options)
        expect(failed).toMatchObject({ ok: false, status: 404, finalUrl: `${server.url}/missing` })
        expect(failed.headers).toMatchObject({ "x-token": "abc" })
        // The fast lane knows its agent speaks HTTP/1.1; any other client does not say.
        expect(redirected.httpVersion).toBe(lane === "fast" ? "1.1" : undefined)
        // Everything but the time taken, the server's clock (a second may tick between lanes)
        // and the version.
        const comparable = ({ httpVersion: _version, ms: _ms, headers, ...rest }: typeof redirected) => {
          const { date: _date, ...kept } = headers ?? {}
          return { ...rest, headers: kept }
        }
        results.push([comparable(redirected), comparable(failed)])
      }
      expect(results[0]).toEqual(results[1])
    }))

  it.scoped("without includeHeaders, and without a redirect, neither field is there", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(handler)
      for (const lane of ["fast", "generic"] as const) {
        const record = yield* fetchWith(lane, `${server.url}/end`)
        expect(Object.keys(record)).toEqual(["index", "url", "ok", "status", "attempts", "ms", "body"])
        const hop = yield* fetchWith(lane, `${server.url}/hop`)
        expect(Object.keys(hop)).toEqual(["index", "url", "ok", "status", "attempts", "ms", "body", "finalUrl"])
      }
    }))

  it.scoped("a JSON body spliced in as sent keeps finalUrl and headers in the written line", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(handler)
      const record = yield* fetchWith("fast", `${server.url}/json-hop`, makeFetchOptions({ includeHeaders: true }))
      const line = encodeRecord(record)
      expect(line).toContain(`"body":{"n":1.0}`)
      expect(line).toContain(`"httpVersion":"1.1"`)
      expect(JSON.parse(line)).toMatchObject({
        finalUrl: `${server.url}/json`,
        headers: { "content-type": "application/json" }
      })
    }))

  it.effect("any other HttpClient: joined headers, Set-Cookie as a list from its cookies", () =>
    Effect.gen(function*() {
      const fetcher = yield* Fetcher
      const record = yield* fetcher.fetchOne(
        { index: 0, request: { url: "http://api.test/c" } },
        makeFetchOptions({ includeHeaders: true })
      )
      expect(record.headers).toMatchObject({ "x-one": "1", "set-cookie": "s=1" })
    }).pipe(
      Effect.provide(Fetcher.Default.pipe(Layer.provide(TestHttpClient.layer({
        "http://api.test/c": { text: "x", headers: { "X-One": "1", "Set-Cookie": "s=1" } }
      }))))
    ))
})
