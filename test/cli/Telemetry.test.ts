/**
 * The CLI (in process) exporting its telemetry by the standard OpenTelemetry variables to an
 * OTLP/HTTP receiver made in the test: a span for the workflow and one per step, the requests
 * inside their step; the service name; nothing without the variables. A span per request (url
 * without credentials, method, status, attempts, error tag) and the metrics, sent before the
 * process ends, are checked on the bundle itself (BuiltCli.test.ts: the exporters load there in
 * a way of their own).
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { runInProcess } from "../support/InProcessCli.js"
import { startOtlpReceiver } from "../support/OtlpReceiver.js"

/**
 * `volley ...args` in process with `env`. The OTLP exporters read their endpoint from
 * `process.env` themselves, so the variables are set there too for the run, and put back after;
 * the tests of this file run one at a time (vitest's default), so no other run sees them.
 */
const runWithEnv = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const saved = Object.keys(env).map((name) => [name, process.env[name]] as const)
      Object.assign(process.env, env)
      return saved
    }),
    () => runInProcess(args, { env }),
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of saved) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

layer(NodeContext.layer, { excludeTestServices: true })("telemetry (in process)", (it) => {
  it.scoped("volley run: a span for the workflow, one per step, the requests inside their step", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const receiver = yield* startOtlpReceiver
      const result = yield* runWithEnv(["run", "examples/workflows/api-checks.yaml", "--var", `base=${url}`], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_METRICS_EXPORTER: "none"
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
      const result = yield* runWithEnv(["fetch", `${url}/json/1`, "--no-progress"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_SERVICE_NAME: "api-checks",
        OTEL_METRICS_EXPORTER: "none"
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
      const plain = yield* runWithEnv(["fetch", `${url}/json/1`, "--no-progress"], {
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x=1"
      })
      expect(plain.code).toBe(0)
      const unknown = yield* runWithEnv(["fetch", `${url}/json/1`, "--no-progress"], {
        OTEL_TRACES_EXPORTER: "zipkin",
        OTEL_METRICS_EXPORTER: "none"
      })
      expect(unknown.code).toBe(0)
      expect(unknown.stderr).toContain("volley: OTEL_TRACES_EXPORTER=zipkin: volley exports with otlp only (or none)")
      expect(receiver.spans).toEqual([])
      expect(receiver.metrics).toEqual([])
    }))
})
