/**
 * What only a process of the built executable shows (everything else runs in process, against
 * the source): a stdout that is full or whose reader goes away, two volley processes on one
 * output file, the open-file limit set by the shell, telemetry exported from the bundle, and the
 * V8 settings of bin/volley.js.
 * Each run checks first that the bundle is newer than the source (`CliProcess.ts`). Signals are
 * in Stop.test.ts, the terminal in TerminalProgress.test.ts.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { runCli, startCli } from "../support/CliProcess.js"
import { runInProcess } from "../support/InProcessCli.js"
import { jsonAfter, startLoopbackServer } from "../support/LoopbackServer.js"
import { startOtlpReceiver } from "../support/OtlpReceiver.js"

const lines = (text: string) => text.split("\n").filter((l) => l !== "")
const indexes = (text: string) => lines(text).map((l) => (JSON.parse(l) as { index: number }).index)
const records = (text: string) => lines(text).map((l) => JSON.parse(l) as Record<string, unknown>)

layer(NodeContext.layer, { excludeTestServices: true })("the built CLI, as a process", (it) => {
  it.scoped("> /dev/full: exit 2, the plain reason and the count written; nothing reported ok", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      const result = yield* runCli([
        "-c",
        `exec node bin/volley.js fetch '${server.url}/r/{1..2000}' -c 50 --no-progress > /dev/full`
      ], { command: "sh" })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("volley: stdout: no space left on device; 0 records written")
      expect(result.stderr).toContain("0 done: 0 ok")
      expect(result.stderr).not.toContain("2000 ok")
    }))

  it.scoped("| head -2: fetching stops at once, quietly, exit 141", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      const result = yield* runCli([
        "-c",
        `node bin/volley.js fetch '${server.url}/r/{1..50000}' -c 20 --no-progress | head -2; ` +
        `echo "volley exit \${PIPESTATUS[0]}" >&2`
      ], { command: "bash" })
      expect(lines(result.stdout).length).toBe(2)
      expect(result.stderr.trim()).toBe("volley exit 141")
      // Only what was in flight or queued when the pipe closed: nowhere near the 50,000.
      expect(server.hits()).toBeLessThan(10_000)
    }))

  it.scoped("two runs on one file: the second exits 2 at once naming the first, whose file stays whole", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(jsonAfter(5))
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/two.ndjson`
      const args = ["fetch", `${server.url}/x/{0..2999}`, "-c", "10", "-o", out, "--resume", "--no-progress"]
      const first = yield* startCli(args)
      // Wait (bounded) until the first run is writing, so it holds the lock.
      yield* fs.readFileString(out).pipe(
        Effect.orElseSucceed(() => ""),
        Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (t) => lines(t).length >= 20, times: 500 })
      )
      // The second run in this process: another process's lock, seen from the source's side.
      const second = yield* runInProcess(args)
      expect(second.code).toBe(2)
      expect(second.stderr).toContain(`in use by another volley run (pid ${first.pid})`)
      expect(yield* first.exitCode).toBe(0)
      const text = yield* fs.readFileString(out)
      expect(indexes(text)).toEqual(Array.from({ length: 3000 }, (_, i) => i))
      expect(yield* fs.readDirectory(dir)).toEqual(["two.ndjson"])
      expect(server.hits()).toBe(3000)
    }))

  it.scoped("over the open-file limit: a warning at start, the run held to what the limit allows, no record lost", () =>
    Effect.gen(function*() {
      // Each answer takes a while, so 200 connections would be open at once under a limit of 100.
      const server = yield* startLoopbackServer(jsonAfter(100))
      const result = yield* runCli([
        "-c",
        `ulimit -n 100 && exec node bin/volley.js fetch '${server.url}/r/{1..600}' -c 200 --no-progress --no-body`
      ], { command: "sh" })
      expect(result.stderr).toContain(
        "warning: --concurrency 200 is more than the open-file limit allows (ulimit -n 100)"
      )
      expect(result.code).toBe(0)
      const all = records(result.stdout)
      expect(all.length).toBe(600)
      expect(all.every((r) => r["ok"] === true && r["attempts"] === 1)).toBe(true)
      expect(server.hits()).toBe(600)
    }))

  it.scoped("a long run's young generation stays at 8 MB (V8 alone grows it to 16–32 MB by 3,000 responses)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      // Preloaded into the volley process: the largest new space any GC left, printed at exit.
      const probe = `${dir}/young.cjs`
      yield* fs.writeFileString(
        probe,
        `const { getHeapSpaceStatistics } = require("node:v8")
const { PerformanceObserver } = require("node:perf_hooks")
let max = 0
const look = () => {
  const young = getHeapSpaceStatistics().find((space) => space.space_name === "new_space")
  if (young !== undefined && young.space_size > max) max = young.space_size
}
new PerformanceObserver(look).observe({ entryTypes: ["gc"] })
process.on("exit", () => { look(); process.stderr.write("young generation " + max + "\\n") })
`
      )
      const server = yield* startLoopbackServer(jsonAfter(0))
      const result = yield* runCli([
        "-c",
        `exec node -r '${probe}' bin/volley.js fetch '${server.url}/r/{1..3000}' -c 64 --no-progress -o /dev/null`
      ], { command: "sh" })
      expect(result.code).toBe(0)
      expect(server.hits()).toBe(3000)
      const young = Number(/young generation (\d+)/.exec(result.stderr)?.[1])
      expect(young).toBeGreaterThan(0)
      expect(young).toBeLessThanOrEqual(8 * 1024 * 1024)
    }))

  it.scoped("telemetry from the bundle: spans and metrics of a real run reach the receiver before it exits", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const receiver = yield* startOtlpReceiver
      const withCredentials = url.replace("http://", "http://user:secret@")
      const result = yield* runCli(
        [
          "fetch",
          `${withCredentials}/json/1`,
          `${url}/flaky/t20?fail=1`,
          `${url}/status/404`,
          "--backoff",
          "10ms",
          "--no-progress"
        ],
        { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } }
      )
      expect(result.code).toBe(1)
      // Everything was sent before the process ended.
      const run = receiver.spans.find((span) => span.name === "volley fetch")
      expect(run).toBeDefined()
      expect(run!.attributes).toMatchObject({ "volley.records": 3, "volley.failed": 1 })
      expect(run!.resource).toMatchObject({ "service.name": "volley", "service.version": "0.1.0" })
      const requests = receiver.spans.filter((span) => span.name === "volley.fetch")
      expect(requests).toHaveLength(3)
      for (const span of requests) {
        expect(span.traceId).toBe(run!.traceId)
        expect(span.parentSpanId).toBe(run!.spanId)
        expect(span.kind).toBe(3) // SPAN_KIND_CLIENT
      }
      const byUrl = Object.fromEntries(requests.map((span) => [span.attributes["url.full"], span.attributes]))
      expect(byUrl[`${url}/json/1`]).toMatchObject({
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "volley.attempts": 1,
        "volley.ok": true
      })
      expect(byUrl[`${url}/flaky/t20?fail=1`]).toMatchObject({
        "http.response.status_code": 200,
        "volley.attempts": 2,
        "http.request.resend_count": 1
      })
      expect(byUrl[`${url}/status/404`]).toMatchObject({
        "http.response.status_code": 404,
        "volley.ok": false,
        "error.type": "StatusError",
        "volley.error": "StatusError"
      })
      expect(JSON.stringify(receiver.spans)).not.toContain("secret")
      const names = new Set(receiver.metrics.map((metric) => metric.name))
      for (
        const name of [
          "volley_requests_total",
          "volley_failures_total",
          "volley_request_duration_ms",
          "volley_requests_in_flight",
          "volley_attempts_total"
        ]
      ) expect(names).toContain(name)
      expect(receiver.contentTypes.every((type) => type === "application/json")).toBe(true)
    }))
})
