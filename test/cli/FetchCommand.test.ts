/**
 * The CLI (in process) against a real loopback server: order under random delays, the
 * concurrency cap held and reached (counted by the server), every error tag, and the exit codes.
 */
import { FileSystem, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Deferred, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { runInProcess } from "../support/InProcessCli.js"

interface TrafficState {
  inFlight: number
  maxInFlight: number
  hits: number
  /**
   * When set, requests wait (before their delay) until this many are in flight at once: a run
   * that holds -c then reaches it at any machine speed, and one that could not would never end.
   */
  fillTo: { readonly size: number; readonly full: Deferred.Deferred<void> } | undefined
}

class Traffic extends Context.Tag("test/Traffic")<Traffic, TrafficState>() {}

const delayParam = (url: string) => Number(new URL(url, "http://x").searchParams.get("delay") ?? 0)

const App = Effect.gen(function*() {
  const traffic = yield* Traffic
  const counted = <E, R>(handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      traffic.hits++
      traffic.inFlight++
      traffic.maxInFlight = Math.max(traffic.maxInFlight, traffic.inFlight)
      const fill = traffic.fillTo
      if (fill !== undefined) {
        if (traffic.inFlight >= fill.size) yield* Deferred.succeed(fill.full, undefined)
        yield* Deferred.await(fill.full)
      }
      return yield* Effect.sleep(delayParam(request.url)).pipe(Effect.zipRight(handler))
    }).pipe(Effect.ensuring(Effect.sync(() => traffic.inFlight--)))
  return HttpRouter.empty.pipe(
    HttpRouter.get(
      "/json/:n",
      counted(Effect.map(HttpRouter.params, (p) => HttpServerResponse.unsafeJson({ n: Number(p["n"]) })))
    ),
    HttpRouter.get(
      "/status/:code",
      counted(Effect.map(HttpRouter.params, (p) => HttpServerResponse.unsafeJson({}, { status: Number(p["code"]) })))
    ),
    HttpRouter.get("/text", counted(Effect.succeed(HttpServerResponse.text("Too many requests. Slow down!")))),
    HttpRouter.get("/stats", Effect.succeed(HttpServerResponse.unsafeJson({ ...traffic }))),
    HttpRouter.post(
      "/stats/reset",
      Effect.sync(() => {
        traffic.hits = 0
        traffic.maxInFlight = 0
        return HttpServerResponse.empty()
      })
    )
  )
})

const ServerLive = Layer.unwrapEffect(Effect.map(App, (app) => HttpServer.serve(app))).pipe(
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
  Layer.provideMerge(
    Layer.sync(Traffic, (): TrafficState => ({ inFlight: 0, maxInFlight: 0, hits: 0, fillTo: undefined }))
  )
)

const baseUrl = HttpServer.addressFormattedWith((address) => Effect.succeed(address))

const lines = (text: string) => text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))

layer(Layer.mergeAll(ServerLive, NodeContext.layer), { excludeTestServices: true })(
  "volley fetch (in process)",
  (it) => {
    it.effect("keeps input order under random delays and holds --concurrency", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const traffic = yield* Traffic
        traffic.maxInFlight = 0
        traffic.fillTo = { size: 5, full: yield* Deferred.make<void>() }
        const urls = Array.from({ length: 60 }, (_, i) => `${base}/json/${i}?delay=${(i * 37) % 50}`)
        const result = yield* runInProcess(["fetch", ...urls, "-c", "5", "--no-progress"]).pipe(
          Effect.ensuring(Effect.sync(() => traffic.fillTo = undefined))
        )
        expect(result.code).toBe(0)
        const records = lines(result.stdout)
        expect(records.map((r) => r.index)).toEqual(urls.map((_, i) => i))
        expect(records.map((r) => r.body.n)).toEqual(urls.map((_, i) => i))
        expect(traffic.maxInFlight).toBe(5)
        expect(result.stderr).toContain("60 done: 60 ok, 0 failed")
      }))

    it.effect("every error tag, isolated per record; exit code 1", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const result = yield* runInProcess([
          "fetch",
          `${base}/json/1`,
          "notaurl",
          "http://127.0.0.1:1/refused",
          `${base}/json/2?delay=3000`,
          `${base}/status/404`,
          `${base}/text`,
          "--extract",
          "n",
          "--timeout",
          "300ms",
          "--retries",
          "0",
          "--no-progress"
        ])
        expect(result.code).toBe(1)
        const records = lines(result.stdout)
        expect(records.map((r) => r.ok ? "ok" : r.error._tag)).toEqual([
          "ok",
          "InvalidUrl",
          "TransportError",
          "TimeoutError",
          "StatusError",
          "DecodeError"
        ])
        expect(records[0].value).toBe(1)
        expect(records[4].status).toBe(404)
        expect(result.stderr).toMatch(/6 done: 1 ok, 5 failed/)
      }))

    it.scoped("reads URLs from stdin with ranges and comments, writes CSV and JSON files", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const stdin = `# ids\n${base}/json/{1..3}\n\n${base}/json/9\n`
        const csv = yield* runInProcess(
          ["fetch", "--input", "-", "--format", "csv", "--extract", "n", "--no-progress"],
          {
            stdin
          }
        )
        expect(csv.code).toBe(0)
        const rows = csv.stdout.trim().split("\n")
        expect(rows[0]).toBe("index,url,ok,status,attempts,ms,value,error,bodyEncoding")
        expect(rows.slice(1).map((r) => r.split(",")[6])).toEqual(["1", "2", "3", "9"])

        const fs = yield* FileSystem.FileSystem
        const out = `${yield* fs.makeTempDirectoryScoped()}/out.json`
        const json = yield* runInProcess([
          "fetch",
          `${base}/json/{1..4}`,
          "--format",
          "json",
          "-o",
          out,
          "--no-progress"
        ])
        expect(json.code).toBe(0)
        const written = JSON.parse(yield* fs.readFileString(out))
        expect(written.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3])
      }))

    it.effect("bad input: exit 2, one line naming the flag or path, nothing sent", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const traffic = yield* Traffic
        const before = traffic.hits
        const cases: ReadonlyArray<[ReadonlyArray<string>, RegExp]> = [
          [["fetch", `${base}/json/1`, "--concurrency", "0"], /--concurrency: must be at least 1/],
          [["fetch", `${base}/json/1`, "--timeout", "soon"], /--timeout: 'soon' is not a duration/],
          [["fetch", "--input", "/no/such/file.txt"], /--input \/no\/such\/file\.txt: no such file/],
          [
            ["fetch", `${base}/json/1`, "-o", "/no/such/dir/out.ndjson"],
            /--output \/no\/such\/dir\/out\.ndjson: folder/
          ],
          [["fetch", `${base}/json/1`, "--extract", "data["], /--extract: invalid JMESPath query 'data\['/],
          [["fetch", `${base}/json/1`, "--format", "xml"], /--format: 'xml' is not one of ndjson, json, csv/],
          [["fetch", `${base}/json/1`, "--max-body", "lots"], /--max-body: 'lots' is not a size/],
          [["fetch"], /no URLs/]
        ]
        for (const [args, message] of cases) {
          const result = yield* runInProcess(args)
          expect(result.code, args.join(" ")).toBe(2)
          expect(result.stderr.trim()).toMatch(message)
          expect(result.stderr.trim().split("\n").length, result.stderr).toBe(1)
          expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/)
          expect(result.stdout).toBe("")
        }
        expect(traffic.hits).toBe(before)
      }))
  }
)
