/**
 * The built CLI exporting its telemetry by the standard OpenTelemetry variables to an OTLP/HTTP
 * receiver made in the test: a span for the run, one per request (url without credentials,
 * method, status, attempts, error tag) inside it, and the metrics; nothing without the variables.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { runCli } from "../support/CliProcess.js"
import { startOtlpReceiver } from "../support/OtlpReceiver.js"

layer(NodeContext.layer, { excludeTestServices: true })("telemetry (built CLI)", (it) => {
  it.scoped("OTEL_EXPORTER_OTLP_ENDPOINT: spans and metrics of a real run reach the receiver", () =>
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

  it.scoped("volley run: a span for the workflow, one per step, the requests inside their step", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const receiver = yield* startOtlpReceiver
      const result = yield* runCli(["run", "examples/workflows/api-checks.yaml", "--var", `base=${url}`], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_METRICS_EXPORTER: "none" }
      })
      expect(result.code).toBe(0)
      const workflow = receiver.spans.find((span) => span.name === "volley.runWorkflow")!
      const steps = receiver.spans.filter((span) => span.name === "volley.step")
      expect(steps.map((span) => span.attributes["volley.step"]).sort()).toEqual(["cached", "gone", "posts", "users"])
      for (const step of steps) {
        expect(step.parentSpanId).toBe(workflow.spanId)
        expect(step.attributes["volley.step.status"]).toBe("ok")
      }
      const posts = steps.find((span) => span.attributes["volley.step"] === "posts")!
      const requests = receiver.spans.filter((span) => span.name === "volley.fetch")
      expect(requests).toHaveLength(6)
      expect(requests.filter((span) => span.parentSpanId === posts.spanId)).toHaveLength(3)
    }))

  it.scoped("OTEL_SERVICE_NAME names the service; OTEL_METRICS_EXPORTER=none sends spans only", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const receiver = yield* startOtlpReceiver
      const result = yield* runCli(["fetch", `${url}/json/1`, "--no-progress"], {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_SERVICE_NAME: "api-checks",
          OTEL_METRICS_EXPORTER: "none"
        }
      })
      expect(result.code).toBe(0)
      expect(receiver.spans.map((span) => span.name).sort()).toEqual(["volley fetch", "volley.fetch"])
      expect(receiver.spans[0]!.resource["service.name"]).toBe("api-checks")
      expect(receiver.metrics).toEqual([])
    }))

  it.scoped("without the variables nothing is sent; an unknown exporter is a warning, not a failure", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const receiver = yield* startOtlpReceiver
      const plain = yield* runCli(["fetch", `${url}/json/1`, "--no-progress"], {
        env: { OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x=1" }
      })
      expect(plain.code).toBe(0)
      const unknown = yield* runCli(["fetch", `${url}/json/1`, "--no-progress"], {
        env: { OTEL_TRACES_EXPORTER: "zipkin", OTEL_METRICS_EXPORTER: "none" }
      })
      expect(unknown.code).toBe(0)
      expect(unknown.stderr).toContain("volley: OTEL_TRACES_EXPORTER=zipkin: volley exports with otlp only (or none)")
      expect(receiver.spans).toEqual([])
      expect(receiver.metrics).toEqual([])
    }))
})
