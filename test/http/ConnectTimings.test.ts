/**
 * `timings` on the undici lane against loopback servers: a new connection's phases (DNS for a
 * name, TCP connect, TLS over HTTPS), none of them on a reused socket, first byte and total;
 * nothing without the option, and nothing from a client of one's own.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { encodeRecord } from "../../src/domain/RecordJson.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { type FetchOptions, makeFetchOptions } from "../../src/http/FetchOptions.js"
import type { Transport } from "../../src/http/Transport.js"
import { httpClientTransportLayer, undiciLayer } from "../../src/http/TransportLayer.js"
import type { PoolOptions } from "../../src/http/UndiciAgent.js"
import { testCerts } from "../support/TestCerts.js"
import { httpServer, httpsServer } from "../support/TestServers.js"

const noRetry = { retries: 0, backoff: "1 millis", maxBackoff: "1 millis" } as const
const timed = makeFetchOptions({ timings: true, retry: noRetry })

/** Fetches `urls` one after the other on one client (so the second may reuse the first's socket). */
const fetchInTurn = (
  urls: ReadonlyArray<string>,
  options: FetchOptions,
  client: Layer.Layer<Transport> = undiciLayer()
) =>
  Effect.flatMap(
    Fetcher,
    (fetcher) => Effect.forEach(urls, (url, index) => fetcher.fetchOne({ index, request: { url } }, options))
  ).pipe(
    Effect.provide(Fetcher.Default.pipe(Layer.provide(client)))
  )

describe("ConnectTimings", () => {
  it.scopedLive("a new connection by name: dns and connect, then first byte and total; a reused one: no phases", () =>
    Effect.gen(function*() {
      const base = yield* httpServer()
      const byName = base.replace("127.0.0.1", "localhost")
      const records = yield* fetchInTurn([1, 2, 3, 4].map((n) => `${byName}/${n}`), timed)
      const first = records[0]!
      expect(first).toMatchObject({ ok: true })
      const t1 = first.timings!
      expect(Object.keys(t1).sort()).toEqual(["connect", "dns", "total", "ttfb"])
      expect(t1.dns).toBeGreaterThanOrEqual(0)
      expect(t1.connect).toBeGreaterThanOrEqual(0)
      expect(t1.ttfb).toBeGreaterThanOrEqual(t1.connect! + t1.dns! - 0.2)
      expect(t1.total).toBeGreaterThanOrEqual(t1.ttfb)
      expect(first.ms).toBeGreaterThanOrEqual(t1.total - 0.2)
      // The server says which client port sent each request: a port seen before is a reused
      // socket (no phases), a new one was connected for this request (phases). undici may open
      // a second socket before the first is back in its pool, so both happen.
      const seen = new Set<number>()
      for (const record of records) {
        const port = (record.body as { clientPort: number }).clientPort
        const keys = Object.keys(record.timings!).sort()
        expect(keys).toEqual(seen.has(port) ? ["total", "ttfb"] : ["connect", "dns", "total", "ttfb"])
        seen.add(port)
      }
      expect(seen.size).toBeLessThan(records.length)
      // Written in the record's JSON after the metadata.
      expect(JSON.parse(encodeRecord(first)).timings).toEqual(t1)
    }))

  it.scoped("an IP address is not looked up; HTTPS adds the TLS handshake", () =>
    Effect.gen(function*() {
      const certs = testCerts()
      const base = yield* httpsServer({ cert: certs.serverCert, key: certs.serverKey })
      const pool: PoolOptions = { tls: { ca: certs.ca } }
      const [record] = yield* fetchInTurn([`${base}/x`], timed, undiciLayer(pool))
      expect(record).toMatchObject({ ok: true })
      expect(Object.keys(record!.timings!).sort()).toEqual(["connect", "tls", "total", "ttfb"])
      expect(record!.timings!.tls).toBeGreaterThan(0)
    }))

  it.scoped("a redirect to another origin counts both connections", () =>
    Effect.gen(function*() {
      const target = yield* httpServer()
      const byName = target.replace("127.0.0.1", "localhost")
      // Two servers: the first (by IP) redirects to the second (by name).
      const { startLoopbackServer } = yield* Effect.promise(() => import("../support/LoopbackServer.js"))
      const hop = yield* startLoopbackServer((_req, res) => res.writeHead(302, { location: `${byName}/end` }).end())
      const [record] = yield* fetchInTurn([`${hop.url}/start`], timed)
      expect(record).toMatchObject({ ok: true, finalUrl: `${byName}/end` })
      // dns from the second, connect from both.
      expect(Object.keys(record!.timings!).sort()).toEqual(["connect", "dns", "total", "ttfb"])
    }))

  it.scoped("without the option, or through a client of one's own, no timings", () =>
    Effect.gen(function*() {
      const base = yield* httpServer()
      const [plain] = yield* fetchInTurn([`${base}/a`], makeFetchOptions({ retry: noRetry }))
      expect(plain).toMatchObject({ ok: true })
      expect(plain).not.toHaveProperty("timings")
      const own = httpClientTransportLayer.pipe(Layer.provide(undiciLayer()))
      const [mine] = yield* fetchInTurn([`${base}/a`], timed, own)
      expect(mine).toMatchObject({ ok: true })
      expect(mine).not.toHaveProperty("timings")
    }))
})
