/**
 * Exports volley's spans and metrics over OTLP/HTTP (JSON) with `@effect/opentelemetry` and the
 * OpenTelemetry exporters, configured by the standard variables: the exporters read
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or the per-signal `…_TRACES_ENDPOINT` / `…_METRICS_ENDPOINT`),
 * `OTEL_EXPORTER_OTLP_HEADERS`, `…_TIMEOUT` and `…_COMPRESSION` themselves; the resource takes
 * `OTEL_SERVICE_NAME` (default `volley`) and `OTEL_RESOURCE_ATTRIBUTES`; metrics are exported
 * every `OTEL_METRIC_EXPORT_INTERVAL` ms (default 60000) and once more at the end of the run.
 *
 * The CLI loads this module only when `otelPlan` says the environment asks for it, so a run
 * without those variables never initialises the SDK. (The CLI bundle is built with esbuild's
 * `--supported:dynamic-import=false`: the OTLP exporter loads `node:http` with `import()`, which
 * the `vm.Script` that `bin/volley.js` runs the bundle in cannot do, and the export would fail
 * without a word.)
 *
 * @module
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import type * as Resource from "@effect/opentelemetry/Resource"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type * as Layer from "effect/Layer"
import { version } from "../domain/Version.js"
import type { Env, OtelPlan } from "./OtelEnv.js"

const positiveInt = (text: string | undefined, fallback: number) => {
  const n = Number(text)
  return text !== undefined && Number.isInteger(n) && n > 0 ? n : fallback
}

/** The SDK layer for `plan`: a span processor and a metric reader, flushed when the layer closes. */
export const otelLayer = (plan: OtelPlan, env: Env): Layer.Layer<Resource.Resource> =>
  NodeSdk.layer(() => ({
    // @effect/opentelemetry reads OTEL_SERVICE_NAME too, but a name given here would win over it.
    resource: { serviceName: env["OTEL_SERVICE_NAME"]?.trim() || "volley", serviceVersion: version },
    spanProcessor: plan.traces === undefined ? undefined : new BatchSpanProcessor(new OTLPTraceExporter()),
    metricReader: plan.metrics === undefined ? undefined : new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter(),
      exportIntervalMillis: positiveInt(env["OTEL_METRIC_EXPORT_INTERVAL"], 60_000)
    }),
    // At the end of a run the last spans and metrics are sent; a collector that is down or does
    // not answer (the exporter retries) holds the exit up to this long.
    shutdownTimeout: "3 seconds"
  }))
