/**
 * The demo API on a real loopback port: each endpoint's shape and the counters tests rely on.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { startDemoServer } from "../../src/server/DemoServer.js"

const get = (url: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(HttpClientRequest.get(url))).pipe(
    Effect.flatMap((response) =>
      Effect.map(response.text, (text) => ({ status: response.status, headers: response.headers, text }))
    )
  )

layer(Layer.mergeAll(NodeContext.layer, undiciLayer()), { excludeTestServices: true })("demo API", (it) => {
  it.scoped("cat facts, users, posts, numbers, text and the index", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const facts = JSON.parse((yield* get(`${url}/facts/3`)).text)
      expect(facts.page).toBe(3)
      expect(facts.data[0].length).toBe(facts.data[0].fact.length)
      const users = JSON.parse((yield* get(`${url}/users`)).text)
      expect(users).toHaveLength(10)
      const posts = JSON.parse((yield* get(`${url}/users/2/posts`)).text)
      expect(posts.every((p: { userId: number }) => p.userId === 2)).toBe(true)
      expect((yield* get(`${url}/users/99/posts`)).status).toBe(404)
      const page = yield* get(`${url}/numbers?count=3`)
      expect(page.headers["content-type"]).toContain("text/html")
      expect(page.text).toContain("<pre class=\"data\">12\n49\n86\n</pre>")
      expect((yield* get(`${url}/text`)).headers["content-type"]).toContain("text/plain")
      expect(JSON.parse((yield* get(`${url}/`)).text).endpoints["GET /json/:n"]).toBeDefined()
      expect((yield* get(`${url}/nowhere`)).status).toBe(404)
    }))

  it.scoped("flaky fails K times per key; limited answers 429 + Retry-After in plain text past its rate", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const flaky = yield* Effect.forEach([1, 2, 3], () => get(`${url}/flaky/k?fail=2`))
      expect(flaky.map((r) => r.status)).toEqual([503, 503, 200])
      expect(JSON.parse(flaky[2]!.text)).toEqual({ key: "k", attempts: 3 })
      const limited = yield* Effect.forEach([1, 2, 3], () => get(`${url}/limited/a?rate=2`))
      expect(limited.map((r) => r.status)).toEqual([200, 200, 429])
      expect(limited[2]!.headers["retry-after"]).toBe("1")
      expect(limited[2]!.headers["content-type"]).toContain("text/plain")
      expect(limited[2]!.text).toBe("Too many requests. Slow down!")
      expect(limited[1]!.headers["ratelimit-remaining"]).toBe("0")
    }))

  it.scoped("status, redirects, bytes (sized and chunked)", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const status = yield* get(`${url}/status/503?retry-after=7`)
      expect([status.status, status.headers["retry-after"]]).toEqual([503, "7"])
      const redirect = yield* get(`${url}/redirect/2`)
      expect([redirect.status, redirect.headers["location"]]).toEqual([302, "/redirect/1"])
      const sized = yield* get(`${url}/bytes/1000`)
      expect([sized.text.length, sized.headers["content-length"]]).toEqual([1000, "1000"])
      const chunked = yield* get(`${url}/bytes/40000?chunked=1`)
      expect([chunked.text.length, chunked.headers["content-length"]]).toEqual([40000, undefined])
    }))

  it.scoped("counts requests and requests in flight", () =>
    Effect.gen(function*() {
      const server = yield* startDemoServer()
      yield* Effect.forEach(Array.from({ length: 6 }, (_, i) => i), (i) => get(`${server.url}/json/${i}?delay=100`), {
        concurrency: 6
      })
      const stats = server.stats.snapshot()
      expect(stats.requests).toBe(6)
      expect(stats.maxInFlight).toBe(6)
      expect(stats.inFlight).toBe(0)
      expect(stats.byPath["/json"]).toBe(6)
      const viaHttp = JSON.parse((yield* get(`${server.url}/stats`)).text)
      expect(viaHttp.requests).toBe(6)
    }))
})
