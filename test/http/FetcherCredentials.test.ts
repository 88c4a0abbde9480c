/**
 * Credentials end to end against loopback servers, on the fast undici transport and on the
 * generic `HttpClient` one: a URL's userinfo goes as Basic auth and is never shown; `.netrc`
 * logins; nothing follows a redirect to another origin.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeFetchOptions, redactHeaders } from "../../src/http/FetchOptions.js"
import type { FetchOptions } from "../../src/http/FetchOptions.js"
import { netrcSource, parseNetrc } from "../../src/http/Netrc.js"
import { httpClientTransportLayer, undiciLayer } from "../../src/http/TransportLayer.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

/** Answers with the Authorization header it got (or "none"); `/go?to=URL` redirects there. */
const echoAuth = (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? "/", "http://x")
  const to = url.searchParams.get("to")
  if (url.pathname === "/go" && to !== null) return res.writeHead(302, { location: to }).end()
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify({ authorization: req.headers.authorization ?? "none" }))
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`

/** The fast lane (volley's undici client) and the generic one (the same client, wrapped). */
const lanes = {
  fast: undiciLayer(),
  generic: httpClientTransportLayer.pipe(Layer.provide(undiciLayer()))
}

const fetchWith = (lane: keyof typeof lanes, url: string, options: FetchOptions = makeFetchOptions()) =>
  Effect.flatMap(Fetcher, (fetcher) => fetcher.fetchOne({ index: 0, request: { url } }, options)).pipe(
    Effect.provide(Fetcher.Default.pipe(Layer.provide(lanes[lane])))
  )

const withUser = (base: string, userinfo: string) => base.replace("http://", `http://${userinfo}@`)

for (const lane of ["fast", "generic"] as const) {
  describe(`Fetcher credentials (${lane} transport)`, () => {
    it.scoped("a URL's user:password is sent as Basic auth and left out of the record", () =>
      Effect.gen(function*() {
        const server = yield* startLoopbackServer(echoAuth)
        const record = yield* fetchWith(lane, `${withUser(server.url, "al%40ce:pa%3Ass")}/x`)
        expect(record).toMatchObject({
          ok: true,
          url: `${server.url}/x`,
          body: { authorization: basic("al@ce", "pa:ss") }
        })
        expect(JSON.stringify(record)).not.toContain("pa%3Ass")
      }))

    it.scoped("the URL's credentials win over a run-wide Authorization (-u)", () =>
      Effect.gen(function*() {
        const server = yield* startLoopbackServer(echoAuth)
        const options = makeFetchOptions({ headers: redactHeaders({ Authorization: basic("flag", "x") }) })
        const record = yield* fetchWith(lane, `${withUser(server.url, "url:y")}/`, options)
        expect(record).toMatchObject({ ok: true, body: { authorization: basic("url", "y") } })
      }))

    it.scoped("a failure's record and message carry no credentials", () =>
      Effect.gen(function*() {
        const server = yield* startLoopbackServer((_req, res) => res.writeHead(500).end())
        const options = makeFetchOptions({ retry: { retries: 0, backoff: "1 millis", maxBackoff: "1 millis" } })
        const failed = yield* fetchWith(lane, `${withUser(server.url, "u:hunter2")}/`, options)
        expect(failed).toMatchObject({ ok: false, url: `${server.url}/`, status: 500 })
        expect(JSON.stringify(failed)).not.toContain("hunter2")
        const invalid = yield* fetchWith(lane, "ftp://u:hunter2@files.test/x")
        expect(invalid).toMatchObject({ ok: false, url: "ftp://files.test/x", error: { _tag: "InvalidUrl" } })
        expect(JSON.stringify(invalid)).not.toContain("hunter2")
      }))

    it.scoped("credentials follow a redirect on the same origin and are dropped on another", () =>
      Effect.gen(function*() {
        const a = yield* startLoopbackServer(echoAuth)
        const b = yield* startLoopbackServer(echoAuth)
        const same = yield* fetchWith(lane, `${withUser(a.url, "u:p")}/go?to=/in`)
        expect(same).toMatchObject({ ok: true, body: { authorization: basic("u", "p") } })
        const other = yield* fetchWith(lane, `${withUser(a.url, "u:p")}/go?to=${encodeURIComponent(`${b.url}/out`)}`)
        expect(other).toMatchObject({ ok: true, body: { authorization: "none" } })
        // Credentials in a Location are neither sent nor shown.
        const sneaky = yield* fetchWith(lane, `${a.url}/go?to=${encodeURIComponent(withUser(b.url, "x:leak"))}`)
        expect(sneaky).toMatchObject({ ok: true, body: { authorization: "none" } })
        expect(sneaky).toMatchObject({ finalUrl: b.url + "/" })
      }))

    it.scoped(".netrc logins: by host, a URL's user takes its password, an Authorization header wins", () =>
      Effect.gen(function*() {
        const server = yield* startLoopbackServer(echoAuth)
        const logins = netrcSource(parseNetrc(
          "machine 127.0.0.1 login first password one\nmachine 127.0.0.1 login second password two\n"
        ))
        const options = makeFetchOptions({ logins })
        expect(yield* fetchWith(lane, `${server.url}/`, options)).toMatchObject({
          body: { authorization: basic("first", "one") }
        })
        expect(yield* fetchWith(lane, `${withUser(server.url, "second")}/`, options)).toMatchObject({
          body: { authorization: basic("second", "two") }
        })
        const flagged = makeFetchOptions({ logins, headers: redactHeaders({ Authorization: basic("flag", "f") }) })
        expect(yield* fetchWith(lane, `${server.url}/`, flagged)).toMatchObject({
          body: { authorization: basic("flag", "f") }
        })
        const elsewhere = makeFetchOptions({ logins: netrcSource(parseNetrc("machine other.test login a password b")) })
        expect(yield* fetchWith(lane, `${server.url}/`, elsewhere)).toMatchObject({ body: { authorization: "none" } })
      }))
  })
}
