/**
 * Exporting volley's spans and metrics with @effect/opentelemetry: each request is a
 * `volley.fetch` span (url, status, attempts, outcome); the metrics are volley_requests_total,
 * volley_attempts_total, volley_failures_total{error} and volley_request_duration_ms.
 * Here the spans go to an in-memory exporter and are printed; use an OTLP exporter in production.
 * In your project, import from "volley" instead of "../src/index.js".
 *
 *   npx tsx examples/opentelemetry.ts http://127.0.0.1:8080   (with `volley serve` running)
 */
import { NodeSdk } from "@effect/opentelemetry"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Metric } from "effect"
import { Telemetry, Volley } from "../src/index.js"

/** Fetches a few URLs with tracing on; returns the exported spans and the request counter. */
export const tracedFetch = (base: string) =>
  Effect.gen(function*() {
    const exporter = new InMemorySpanExporter()
    const Tracing = NodeSdk.layer(() => ({
      resource: { serviceName: "volley-example" },
      spanProcessor: new SimpleSpanProcessor(exporter)
    }))
    // Read the spans before the layer closes: shutting the SDK down empties the in-memory exporter.
    const spans = yield* Effect.gen(function*() {
      const volley = yield* Volley.Volley
      yield* volley.fetchAll([`${base}/json/1`, `${base}/status/404`, `${base}/json/2`], {
        fetch: { retry: { retries: 0, backoff: "1 millis", maxBackoff: "1 millis" } }
      }).pipe(Effect.withSpan("example.fetch-three"))
      return exporter.getFinishedSpans().map((span) => ({
        name: span.name,
        url: span.attributes["url.full"],
        status: span.attributes["http.response.status_code"],
        ok: span.attributes["volley.ok"]
      }))
    }).pipe(Effect.provide(Layer.merge(Volley.layer(), Tracing)))
    const requests = yield* Metric.value(Telemetry.requestsTotal)
    return { spans, requests: requests.count }
  })

if (process.argv[1]?.endsWith("opentelemetry.ts") === true) {
  Effect.runPromise(tracedFetch(process.argv[2] ?? "http://127.0.0.1:8080")).then((result) => console.log(result))
}
