/**
 * An OTLP/HTTP receiver on loopback, made in the test: it accepts `POST /v1/traces` and
 * `POST /v1/metrics` with JSON payloads (what the OTLP/HTTP JSON exporters send), decodes the
 * parts the tests look at with `Schema`, and keeps them.
 */
import { Effect, Schema } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const AnyValue = Schema.Struct({
  stringValue: Schema.optional(Schema.String),
  boolValue: Schema.optional(Schema.Boolean),
  // OTLP JSON writes 64-bit integers as strings or numbers.
  intValue: Schema.optional(Schema.Union(Schema.Number, Schema.NumberFromString)),
  doubleValue: Schema.optional(Schema.Number)
})
const KeyValue = Schema.Struct({ key: Schema.String, value: AnyValue })
const Resource = Schema.Struct({ attributes: Schema.Array(KeyValue) })

const Span = Schema.Struct({
  traceId: Schema.String,
  spanId: Schema.String,
  parentSpanId: Schema.optional(Schema.String),
  name: Schema.String,
  kind: Schema.Number,
  attributes: Schema.Array(KeyValue)
})
const TracesPayload = Schema.Struct({
  resourceSpans: Schema.Array(Schema.Struct({
    resource: Resource,
    scopeSpans: Schema.Array(Schema.Struct({ spans: Schema.Array(Span) }))
  }))
})

const Metric = Schema.Struct({ name: Schema.String })
const MetricsPayload = Schema.Struct({
  resourceMetrics: Schema.Array(Schema.Struct({
    resource: Resource,
    scopeMetrics: Schema.Array(Schema.Struct({ metrics: Schema.Array(Metric) }))
  }))
})

type Attributes = Record<string, string | number | boolean | undefined>

/** A span as received: its attributes as a plain object. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly kind: number
  readonly attributes: Attributes
  readonly resource: Attributes
}

const flatten = (attributes: ReadonlyArray<typeof KeyValue.Type>): Attributes => {
  const out: Attributes = {}
  for (const { key, value } of attributes) {
    out[key] = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue
  }
  return out
}

/** Starts the receiver in the current scope; `endpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT takes. */
export const startOtlpReceiver = Effect.gen(function*() {
  const spans: Array<ReceivedSpan> = []
  const metrics: Array<{ readonly name: string; readonly resource: Attributes }> = []
  const contentTypes: Array<string> = []
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      contentTypes.push(request.headers["content-type"] ?? "")
      const body = Buffer.concat(chunks).toString("utf8")
      if (request.url === "/v1/traces") {
        const payload = Schema.decodeUnknownSync(Schema.parseJson(TracesPayload))(body)
        for (const { resource, scopeSpans } of payload.resourceSpans) {
          for (const scope of scopeSpans) {
            for (const span of scope.spans) {
              spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId === "" ? undefined : span.parentSpanId,
                name: span.name,
                kind: span.kind,
                attributes: flatten(span.attributes),
                resource: flatten(resource.attributes)
              })
            }
          }
        }
      } else if (request.url === "/v1/metrics") {
        const payload = Schema.decodeUnknownSync(Schema.parseJson(MetricsPayload))(body)
        for (const { resource, scopeMetrics } of payload.resourceMetrics) {
          for (const scope of scopeMetrics) {
            for (const metric of scope.metrics) {
              metrics.push({ name: metric.name, resource: flatten(resource.attributes) })
            }
          }
        }
      } else {
        response.writeHead(404).end()
        return
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  yield* Effect.acquireRelease(
    Effect.async<void>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.void))
    }),
    () =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )
  const { port } = server.address() as AddressInfo
  return { endpoint: `http://127.0.0.1:${port}`, spans, metrics, contentTypes }
})
