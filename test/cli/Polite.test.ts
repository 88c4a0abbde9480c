/**
 * The CLI (in process) against a loopback server that watches its callers: a 429 with
 * `Retry-After` pauses the whole host, fixed and `--adaptive` runs keep -c and every record at a
 * crowded server, and secret header values are sent but never printed (not even in
 * `VOLLEY_DEBUG`'s trace).
 */
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeContext, NodeHttpServer } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Deferred, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { formatAddress } from "../../src/server/DemoServer.js"
import { runInProcess } from "../support/InProcessCli.js"

/** Serves `app` on 127.0.0.1 in the current scope; returns its URL. */
const serve = (app: HttpRouter.HttpRouter<never, never>) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      HttpServer.serve(app).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" }))
      )
    )
    return formatAddress((yield* HttpServer.HttpServer.pipe(Effect.provide(context))).address)
  })

const records = (stdout: string) =>
  stdout.trim().split("\n").map((line) => JSON.parse(line) as { index: number; ok: boolean; attempts: number })

layer(NodeContext.layer, { excludeTestServices: true })("politeness (in process)", (it) => {
  it.scoped("after a 429 with Retry-After, no request reaches the host until the pause ends", () =>
    Effect.gen(function*() {
      const arrivals: Array<{ n: number; at: number }> = []
      let refusedAt = 0
      const firstFour = yield* Deferred.make<void>()
      const app = HttpRouter.empty.pipe(
        HttpRouter.get(
          "/p/:n",
          Effect.gen(function*() {
            const n = Number((yield* HttpRouter.params).n)
            arrivals.push({ n, at: Date.now() })
            const early = arrivals.length <= 4
            if (arrivals.length === 4) yield* Deferred.succeed(firstFour, undefined)
            if (!early) return HttpServerResponse.unsafeJson({ n })
            // The first four are held until all four arrived; /0 is then refused at once and the
            // others answered later, so every later request is sent after the refusal was read.
            yield* Deferred.await(firstFour)
            if (n === 0 && refusedAt === 0) {
              refusedAt = Date.now()
              return HttpServerResponse.text("slow down", { status: 429, headers: { "retry-after": "1" } })
            }
            yield* Effect.sleep("150 millis")
            return HttpServerResponse.unsafeJson({ n })
          })
        )
      )
      const url = yield* serve(app)
      const result = yield* runInProcess(["fetch", `${url}/p/{0..11}`, "-c", "4", "--no-body", "--backoff", "10ms"])
      expect(result.code).toBe(0)
      const out = records(result.stdout)
      expect(out.map((r) => r.index)).toEqual([...Array(12).keys()])
      expect(out[0]?.attempts).toBe(2)
      expect(refusedAt).toBeGreaterThan(0)
      // 12 URLs plus the retry of /0; all but the first four came after the pause.
      expect(arrivals).toHaveLength(13)
      const later = arrivals.slice(4)
      expect(later.every((a) => a.at >= refusedAt + 1000)).toBe(true)
    }))

  // How many a crowded server refuses depends on the machine's speed, so no counts are compared
  // across runs (AdaptiveGate's own tests check the backing off, on the TestClock): what must hold
  // at any speed is checked — never more than -c at the host, one record per input in order, and
  // each failure the server's 429 as sent.
  it.scoped("against a server that refuses callers past 3 in flight, fixed and --adaptive keep -c and every record", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let most = 0
      let refused = 0
      const app = HttpRouter.empty.pipe(
        HttpRouter.get(
          "/c/:n",
          Effect.suspend(() => {
            inFlight++
            most = Math.max(most, inFlight)
            const answer = inFlight > 3
              ? (refused++, HttpServerResponse.text("busy", { status: 429 }))
              : HttpServerResponse.unsafeJson({ ok: true })
            return Effect.as(Effect.sleep("20 millis"), answer).pipe(Effect.ensuring(Effect.sync(() => inFlight--)))
          })
        )
      )
      const url = yield* serve(app)
      const args = ["fetch", `${url}/c/{1..120}`, "-c", "12", "--retries", "0", "--no-body"]
      for (const extra of [[], ["--adaptive"]]) {
        most = 0
        refused = 0
        const result = yield* runInProcess([...args, ...extra])
        const out = records(result.stdout) as Array<{ index: number; ok: boolean; error?: { _tag: string } }>
        expect(out.map((r) => r.index)).toEqual([...Array(120).keys()])
        expect(most).toBeLessThanOrEqual(12)
        const failed = out.filter((r) => !r.ok)
        expect(failed.length).toBe(refused)
        expect(failed.every((r) => r.error?._tag === "StatusError")).toBe(true)
        expect(result.code).toBe(refused > 0 ? 1 : 0)
      }
    }))

  it.scoped("authorization and cookie values are sent, but never appear in output or errors", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const app = HttpRouter.empty.pipe(
        HttpRouter.get(
          "/secret",
          Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
            seen.push(`${request.headers["authorization"]} ${request.headers["cookie"]}`)
            return HttpServerResponse.text("no", { status: 401 })
          })
        )
      )
      const url = yield* serve(app)
      const result = yield* runInProcess(
        [
          "fetch",
          `${url}/secret`,
          "http://127.0.0.1:1/refused",
          "-H",
          "Authorization: Bearer s3cr3t-t0ken",
          "-H",
          "Cookie: sid=c00kie-value",
          "--retries",
          "0"
        ],
        { env: { VOLLEY_DEBUG: "1" } }
      )
      expect(result.code).toBe(1)
      expect(seen).toEqual(["Bearer s3cr3t-t0ken sid=c00kie-value"])
      const printed = result.stdout + result.stderr
      expect(printed).toContain("StatusError")
      expect(printed).not.toContain("s3cr3t")
      expect(printed).not.toContain("c00kie")
    }))
})
