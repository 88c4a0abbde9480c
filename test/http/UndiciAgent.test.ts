/**
 * How volley's agent connects — TLS settings, HTTP/2, unix sockets, both address families,
 * forward proxies — against real servers on loopback, on both transports (they must agree).
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { networkInterfaces, tmpdir } from "node:os"
import { join } from "node:path"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import { httpClientTransport } from "../../src/http/HttpClientTransport.js"
import type { Hop } from "../../src/http/Redirect.js"
import { type SendLimits, type TransportService } from "../../src/http/Transport.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { type PoolOptions, scopedAgent } from "../../src/http/UndiciAgent.js"
import { makeUndiciHttpClient } from "../../src/http/UndiciHttpClient.js"
import { makeUndiciTransport } from "../../src/http/UndiciTransport.js"
import * as Volley from "../../src/Volley.js"
import { testCerts } from "../support/TestCerts.js"
import { http2Server, httpServer, httpsServer, proxyServer, unixSocketServer } from "../support/TestServers.js"

const limits: SendLimits = { timeout: Duration.seconds(5), maxBodyBytes: 1024 * 1024, maxRedirects: 5 }

const hop = (url: string): Hop => ({ method: "GET", url: new URL(url), headers: {}, body: undefined, redirects: 0 })

/** The body without the client's port (each transport has its own connections). */
const withoutPort = ({ clientPort: _, ...rest }: Record<string, unknown>) => rest

const outcome = (transport: TransportService, url: string) =>
  Effect.map(Effect.either(transport.send(hop(url), limits)), (result) =>
    result._tag === "Right"
      ? { status: result.right.status, body: withoutPort(JSON.parse(result.right.text) as Record<string, unknown>) }
      : {
        error: result.left._tag,
        message: result.left.message,
        ...(result.left._tag === "TransportError" && result.left.permanent === true ? { permanent: true } : {})
      })

/** `url` fetched on both transports over one agent made with `options`: the shared outcome. */
const same = (options: PoolOptions, url: string) =>
  Effect.gen(function*() {
    const agent = yield* scopedAgent({ env: {}, ...options })
    const a = yield* outcome(makeUndiciTransport(agent), url)
    const b = yield* outcome(httpClientTransport(makeUndiciHttpClient(agent)), url)
    expect(a).toEqual(b)
    return a
  })

const certs = testCerts()
const signed = { cert: certs.serverCert, key: certs.serverKey }

describe("TLS", () => {
  it.scoped("a self-signed certificate fails in plain words, permanent; --insecure accepts it", () =>
    Effect.gen(function*() {
      const url = yield* httpsServer({ cert: certs.selfSignedCert, key: certs.selfSignedKey })
      expect(yield* same({}, `${url}/a`)).toEqual({
        error: "TransportError",
        message: "self-signed certificate for 127.0.0.1; pass --cacert or --insecure (DEPTH_ZERO_SELF_SIGNED_CERT)",
        permanent: true
      })
      expect(yield* same({ tls: { insecure: true } }, `${url}/a`)).toMatchObject({ status: 200, body: { path: "/a" } })
    }))

  it.scoped("a private CA is trusted with --cacert (besides the system roots)", () =>
    Effect.gen(function*() {
      const url = yield* httpsServer(signed)
      const untrusted = yield* same({}, `${url}/b`)
      expect(untrusted).toMatchObject({ error: "TransportError", permanent: true })
      expect((untrusted as { message: string }).message).toMatch(
        /^the certificate of 127\.0\.0\.1 is signed by an unknown authority; pass --cacert or --insecure/
      )
      expect(yield* same({ tls: { ca: certs.ca } }, `${url}/b`)).toMatchObject({ status: 200 })
      // localhost is in the certificate too.
      expect(yield* same({ tls: { ca: certs.ca } }, url.replace("127.0.0.1", "localhost"))).toMatchObject({
        status: 200
      })
    }))

  it.scoped("a client certificate is presented with --cert/--key, or --cert alone holding both", () =>
    Effect.gen(function*() {
      const url = yield* httpsServer({ ...signed, ca: certs.ca, requestCert: true, rejectUnauthorized: true })
      expect(yield* same({ tls: { ca: certs.ca } }, url)).toMatchObject({ error: "TransportError" })
      const withKey = { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } }
      expect(yield* same(withKey, url)).toMatchObject({ status: 200 })
      const both = { tls: { ca: certs.ca, cert: certs.clientCert + certs.clientKey } }
      expect(yield* same(both, url)).toMatchObject({ status: 200 })
    }))

  it.scoped("a certificate failure is not retried", () =>
    Effect.gen(function*() {
      const url = yield* httpsServer({ cert: certs.selfSignedCert, key: certs.selfSignedKey })
      const record = yield* Effect.flatMap(Fetcher, (fetcher) =>
        fetcher.fetchOne(
          { index: 0, request: { url } },
          makeFetchOptions({ retry: { retries: 3, backoff: "10 millis", maxBackoff: "10 millis" } })
        )).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(undiciLayer({ env: {} })))))
      expect(record).toMatchObject({ ok: false, attempts: 1, error: { _tag: "TransportError" } })
    }))
})

describe("the library layer", () => {
  it.scoped("Volley.layer takes the connection settings, and decompress", () =>
    Effect.gen(function*() {
      const url = yield* httpsServer({ cert: certs.selfSignedCert, key: certs.selfSignedKey })
      const volley = yield* Volley.Volley
      expect(yield* volley.fetchOne(`${url}/lib`)).toMatchObject({ ok: true, body: { path: "/lib" } })
      const echoed = yield* volley.fetchOne(`${url}/lib`)
      expect((echoed as { body: { headers: Record<string, string> } }).body.headers["accept-encoding"]).toBeUndefined()
    }).pipe(
      Effect.provide(Volley.layer({ retries: 0, decompress: false, connection: { tls: { insecure: true }, env: {} } }))
    ))
})

describe("HTTP/2", () => {
  it.scoped("an h2-only server: refused in plain words over HTTP/1.1, served with --http2", () =>
    Effect.gen(function*() {
      const url = yield* http2Server({ ...signed, allowHTTP1: false })
      const refused = yield* same({ tls: { ca: certs.ca } }, url)
      expect(refused).toMatchObject({ error: "TransportError", permanent: true })
      expect((refused as { message: string }).message).toMatch(/^127\.0\.0\.1 speaks only HTTP\/2; pass --http2/)
      const h2 = yield* same({ tls: { ca: certs.ca }, http2: true }, `${url}/h2`)
      expect(h2).toMatchObject({ status: 200, body: { path: "/h2", httpVersion: "2.0" } })
    }))

  it.scoped("a server speaking both: HTTP/1.1 by default, h2 when offered", () =>
    Effect.gen(function*() {
      const url = yield* http2Server({ ...signed, allowHTTP1: true })
      expect(yield* same({ tls: { ca: certs.ca } }, url)).toMatchObject({ body: { httpVersion: "1.1" } })
      expect(yield* same({ tls: { ca: certs.ca }, http2: true }, url)).toMatchObject({ body: { httpVersion: "2.0" } })
    }))
})

describe("addresses", () => {
  it.scoped("--unix-socket sends every request over the socket; the URL gives host and path", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "volley-sock-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const path = yield* unixSocketServer(join(dir, "api.sock"))
      const result = yield* same({ unixSocket: path }, "http://api.invalid/v1/items?x=1")
      expect(result).toMatchObject({ status: 200, body: { path: "/v1/items?x=1", headers: { host: "api.invalid" } } })
    }))

  /** Whether this machine has ::1. */
  const hasIpv6 = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === "::1"))

  it.scoped.skipIf(!hasIpv6)(
    "localhost reaches a server listening only on ::1 (both families are tried)",
    () =>
      Effect.gen(function*() {
        const url = yield* httpServer("::1")
        const port = new URL(url).port
        expect(yield* same({}, `http://localhost:${port}/six`)).toMatchObject({ status: 200, body: { path: "/six" } })
      })
  )
})

describe("proxies", () => {
  it.scoped("http:// goes to the proxy in absolute form, https:// through CONNECT", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer()
      const plain = yield* httpServer()
      const secure = yield* httpsServer(signed)
      const options = { proxy: proxy.url, tls: { ca: certs.ca } }
      expect(yield* same(options, `${plain}/p`)).toMatchObject({ status: 200, body: { path: "/p" } })
      expect(proxy.log.requests).toEqual([`GET ${plain}/p`, `GET ${plain}/p`])
      expect(yield* same(options, `${secure}/s`)).toMatchObject({ status: 200, body: { path: "/s" } })
      expect(proxy.log.tunnels).toContain(new URL(secure).host)
    }))

  it.scoped("credentials in the proxy URL are sent as Proxy-Authorization and never shown", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer("user:s3cret")
      const target = yield* httpsServer(signed)
      const withCredentials = proxy.url.replace("http://", "http://user:s3cret@")
      expect(yield* same({ proxy: withCredentials, tls: { ca: certs.ca } }, target)).toMatchObject({ status: 200 })
      expect(proxy.log.authorizations).toContain(`Basic ${Buffer.from("user:s3cret").toString("base64")}`)
      const wrong = proxy.url.replace("http://", "http://user:wrong-pass@")
      const refused = yield* same({ proxy: wrong, tls: { ca: certs.ca } }, target)
      expect(refused).toMatchObject({ error: "TransportError" })
      expect(JSON.stringify(refused)).not.toContain("wrong-pass")
      expect((refused as { message: string }).message).toContain("407")
    }))

  it.scoped("HTTP_PROXY / https_proxy from the environment, both cases; NO_PROXY and --noproxy skip it", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer()
      const plain = yield* httpServer()
      const host = new URL(plain).hostname
      yield* same({ env: { HTTP_PROXY: proxy.url } }, `${plain}/upper`)
      yield* same({ env: { http_proxy: proxy.url } }, `${plain}/lower`)
      expect(proxy.log.requests.map((line) => new URL(line.split(" ")[1]!).pathname)).toEqual([
        "/upper",
        "/upper",
        "/lower",
        "/lower"
      ])
      proxy.log.requests.length = 0
      const secure = yield* httpsServer(signed)
      yield* same({ env: { HTTPS_PROXY: proxy.url }, tls: { ca: certs.ca } }, secure)
      yield* same({ env: { https_proxy: proxy.url }, tls: { ca: certs.ca } }, secure)
      expect(proxy.log.tunnels.length).toBeGreaterThanOrEqual(2)
      yield* same({ env: { http_proxy: proxy.url, NO_PROXY: `example.com,${host}` } }, `${plain}/direct`)
      yield* same({ env: { http_proxy: proxy.url, no_proxy: "*" } }, `${plain}/direct`)
      yield* same({ env: { http_proxy: proxy.url }, noProxy: host }, `${plain}/direct`)
      // --proxy "" turns the environment's proxy off.
      yield* same({ env: { http_proxy: proxy.url }, proxy: "" }, `${plain}/direct`)
      expect(proxy.log.requests).toEqual([])
    }))
})
