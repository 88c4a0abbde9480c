import { describe, expect, it } from "@effect/vitest"
import { otelPlan } from "../../src/observability/OtelEnv.js"

describe("otelPlan", () => {
  it("nothing set, nothing exported (and nothing loaded)", () => {
    expect(otelPlan({})).toEqual({ plan: undefined, warnings: [] })
    expect(otelPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: "  " })).toEqual({ plan: undefined, warnings: [] })
  })

  it("an endpoint exports both signals; per-signal endpoints and exporters choose", () => {
    expect(otelPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }).plan).toEqual({
      traces: "otlp",
      metrics: "otlp"
    })
    expect(otelPlan({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" }).plan).toEqual({
      traces: "otlp",
      metrics: undefined
    })
    expect(otelPlan({ OTEL_METRICS_EXPORTER: "otlp" }).plan).toEqual({ traces: undefined, metrics: "otlp" })
    expect(otelPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_TRACES_EXPORTER: "none" }).plan).toEqual({
      traces: undefined,
      metrics: "otlp"
    })
    expect(otelPlan({ OTEL_TRACES_EXPORTER: "console, otlp" }).plan).toEqual({ traces: "otlp", metrics: undefined })
  })

  it("OTEL_SDK_DISABLED=true wins; an unknown exporter is a warning", () => {
    expect(otelPlan({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://x" }).plan).toBeUndefined()
    expect(otelPlan({ OTEL_TRACES_EXPORTER: "jaeger" })).toEqual({
      plan: undefined,
      warnings: ["OTEL_TRACES_EXPORTER=jaeger: volley exports with otlp only (or none); not exported"]
    })
  })

  it("a gRPC protocol is named in a warning: volley speaks OTLP/HTTP", () => {
    expect(otelPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toEqual({
      plan: { traces: "otlp", metrics: "otlp" },
      warnings: [
        "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: volley sends OTLP over HTTP (JSON); use the collector's HTTP port (4318)"
      ]
    })
    expect(otelPlan({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }).warnings).toEqual([])
  })
})
