/**
 * The embedded demo API: the endpoints of the asyncio tutorials (cat facts, a random-number page,
 * an API that allows R requests a second and answers plain text past that), plus endpoints that
 * fail, stall, redirect and fan out, for trying volley and for its own tests. Every endpoint
 * takes `?delay=MS`.
 *
 * @module
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { factOf, numbers, postsOf, users } from "./DemoData.js"
import { ServerStats } from "./ServerStats.js"

const query = Effect.map(
  HttpServerRequest.HttpServerRequest,
  (request) => new URL(request.url, "http://demo").searchParams
)

const intParam = (params: URLSearchParams, name: string, fallback: number) => {
  const value = Number(params.get(name) ?? "")
  return params.has(name) && Number.isFinite(value) ? value : fallback
}

const pathInt = (name: string) => Effect.map(HttpRouter.params, (params) => Number(params[name] ?? "NaN"))

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

const endpoints: ReadonlyArray<readonly [string, string]> = [
  ["GET /facts/:n", "cat facts, {\"data\":[{\"fact\",\"length\"}]}"],
  ["GET /fact", "one cat fact"],
  ["GET /json/:n", "a small JSON object (cheap, for throughput)"],
  ["GET /status/:code", "that status; ?retry-after=S adds Retry-After"],
  ["GET /flaky/:key?fail=K", "503 for the first K requests of key, then 200"],
  ["GET /limited/:key?rate=R", "R requests/s per key; past that 429 + Retry-After, plain text"],
  ["GET /users, /users/:id, /users/:id/posts", "users and their posts"],
  ["GET /numbers?count=N", "an HTML page with <pre class=\"data\"> numbers"],
  ["GET /text", "a plain-text body"],
  ["GET /redirect/:n", "n redirects, then /json/0"],
  ["GET /bytes/:n?chunked=1", "n bytes (streamed without content-length with chunked=1)"],
  ["GET /slow-body?ms=M", "headers at once, the body after M ms"],
  ["POST /echo", "echoes method, headers (secrets redacted) and body"],
  ["GET /stats, POST /stats/reset", "request counters, in flight, per second"]
]

const htmlPage = (count: number) =>
  `<!doctype html>
<html><head><title>Random Integer Generator</title></head>
<body>
<h1>Random Integers</h1>
<p class="intro">Here are your random numbers:</p>
<pre class="data">${numbers(count).join("\n")}
</pre>
<p><a class="more" href="/numbers?count=${count + 5}">More numbers</a> <a class="home" href="/">Home</a></p>
</body></html>
`

const secretHeaders = new Set(["authorization", "cookie", "proxy-authorization", "x-api-key"])

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/", Effect.succeed(json({ name: "volley demo API", endpoints: Object.fromEntries(endpoints) }))),
  HttpRouter.get("/facts/:n", Effect.map(pathInt("n"), (n) => json({ data: [factOf(n)], page: n }))),
  HttpRouter.get(
    "/fact",
    Effect.map(ServerStats, (stats) => json(factOf(stats.snapshot().requests)))
  ),
  HttpRouter.get("/json/:n", Effect.map(pathInt("n"), (n) => json({ id: n, ok: true }))),
  HttpRouter.get(
    "/status/:code",
    Effect.gen(function*() {
      const code = yield* pathInt("code")
      const params = yield* query
      const status = code >= 200 && code <= 599 ? code : 400
      const headers: Record<string, string> = params.has("retry-after")
        ? { "retry-after": params.get("retry-after")! }
        : {}
      // 204 and 304 have no body (a Content-Length on them makes undici fail the answer).
      return status === 204 || status === 304
        ? HttpServerResponse.empty({ status, headers })
        : json({ status }, status, headers)
    })
  ),
  HttpRouter.get(
    "/flaky/:key",
    Effect.gen(function*() {
      const { key } = yield* HttpRouter.params
      const params = yield* query
      const stats = yield* ServerStats
      const attempts = stats.flakyHit(key ?? "")
      if (attempts <= intParam(params, "fail", 2)) {
        const headers: Record<string, string> = params.has("retry-after")
          ? { "retry-after": params.get("retry-after")! }
          : {}
        return json({ error: "temporarily unavailable", attempts }, 503, headers)
      }
      return json({ key, attempts })
    })
  ),
  HttpRouter.get(
    "/limited/:key",
    Effect.gen(function*() {
      const { key = "" } = yield* HttpRouter.params
      const rate = Math.max(1, intParam(yield* query, "rate", 1))
      const stats = yield* ServerStats
      const now = yield* Clock.currentTimeMillis
      const recent = (stats.limited.get(key) ?? []).filter((t) => now - t < 1000)
      const headers = (remaining: number, resetS: number): Record<string, string> => ({
        "ratelimit-limit": String(rate),
        "ratelimit-remaining": String(remaining),
        "ratelimit-reset": String(resetS)
      })
      if (recent.length >= rate) {
        stats.limited.set(key, recent)
        const waitS = Math.max(1, Math.ceil((recent[0]! + 1000 - now) / 1000))
        return HttpServerResponse.text("Too many requests. Slow down!", {
          status: 429,
          headers: { "retry-after": String(waitS), ...headers(0, waitS) }
        })
      }
      recent.push(now)
      stats.limited.set(key, recent)
      return json({ key, n: recent.length }, 200, headers(rate - recent.length, 1))
    })
  ),
  HttpRouter.get("/users", Effect.succeed(json(users))),
  HttpRouter.get(
    "/users/:id",
    Effect.map(pathInt("id"), (id) => {
      const user = users.find((u) => u.id === id)
      return user === undefined ? json({ error: `no user ${id}` }, 404) : json(user)
    })
  ),
  HttpRouter.get(
    "/users/:id/posts",
    Effect.map(
      pathInt("id"),
      (id) => users.some((u) => u.id === id) ? json(postsOf(id)) : json({ error: `no user ${id}` }, 404)
    )
  ),
  HttpRouter.get(
    "/numbers",
    Effect.map(
      query,
      (params) =>
        HttpServerResponse.text(htmlPage(Math.min(1000, Math.max(1, intParam(params, "count", 10)))), {
          contentType: "text/html; charset=utf-8"
        })
    )
  ),
  HttpRouter.get("/text", Effect.succeed(HttpServerResponse.text("This is plain text, not JSON."))),
  HttpRouter.get(
    "/redirect/:n",
    Effect.map(
      pathInt("n"),
      (n) => HttpServerResponse.redirect(n > 0 ? `/redirect/${n - 1}` : "/json/0", { status: 302 })
    )
  ),
  HttpRouter.get(
    "/redirect-to",
    Effect.map(query, (params) => HttpServerResponse.redirect(params.get("url") ?? "/", { status: 302 }))
  ),
  HttpRouter.get(
    "/bytes/:n",
    Effect.gen(function*() {
      const n = Math.max(0, Math.min(100 * 1024 * 1024, yield* pathInt("n")))
      const chunked = (yield* query).get("chunked") === "1"
      if (!chunked) return HttpServerResponse.uint8Array(new Uint8Array(n).fill(120))
      const chunk = 16 * 1024
      const body = Stream.range(0, Math.ceil(n / chunk) - 1).pipe(
        Stream.map((i) => new Uint8Array(Math.min(chunk, n - i * chunk)).fill(120))
      )
      return HttpServerResponse.stream(body, { contentType: "application/octet-stream" })
    })
  ),
  HttpRouter.get(
    "/slow-body",
    Effect.map(query, (params) => {
      const ms = intParam(params, "ms", 1000)
      const body = Stream.concat(
        Stream.make(new TextEncoder().encode("{\"slow\":")),
        Stream.fromEffect(Effect.as(Effect.sleep(ms), new TextEncoder().encode("true}")))
      )
      return HttpServerResponse.stream(body, { contentType: "application/json" })
    })
  ),
  HttpRouter.all(
    "/echo",
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(request.headers)) {
        headers[name] = secretHeaders.has(name) ? "<redacted>" : String(value)
      }
      return json({ method: request.method, headers, body })
    })
  ),
  HttpRouter.get("/stats", Effect.map(ServerStats, (stats) => json(stats.snapshot()))),
  HttpRouter.post(
    "/stats/reset",
    Effect.map(ServerStats, (stats) => {
      stats.reset()
      return json(stats.snapshot())
    })
  )
)

/** The app: counts every request (in flight until its answer is sent), applies `?delay=`. */
export const demoApp = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const stats = yield* ServerStats
  const url = new URL(request.url, "http://demo")
  const host = request.headers["host"] ?? "unknown"
  if (url.pathname !== "/stats") stats.started(host, url.pathname, yield* Clock.currentTimeMillis)
  const delay = intParam(url.searchParams, "delay", 0)
  return yield* (delay > 0 ? Effect.zipRight(Effect.sleep(delay), router) : router).pipe(
    Effect.ensuring(Effect.sync(() => url.pathname === "/stats" ? undefined : stats.finished(host)))
  )
}).pipe(
  Effect.catchTag("RouteNotFound", () => Effect.succeed(json({ error: "not found" }, 404)))
)
