/**
 * Per-request telemetry: a `volley.fetch` span (url, status, attempts, outcome) and metrics —
 * `volley_requests_total`, `volley_attempts_total`, `volley_failures_total` tagged by error tag,
 * the `volley_request_duration_ms` histogram and the `volley_requests_in_flight` gauge.
 *
 * Spans are only made when a tracer has been installed (e.g. `@effect/opentelemetry`): with
 * Effect's built-in tracer nobody reads them, and a span per request would cost throughput.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import type * as Tracer from "effect/Tracer"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { withoutCredentials } from "./SafeUrl.js"

export const requestsTotal = Metric.counter("volley_requests_total", {
  description: "Inputs fetched (one per record, retries not counted)",
  incremental: true
})

export const attemptsTotal = Metric.counter("volley_attempts_total", {
  description: "HTTP attempts sent, retries included",
  incremental: true
})

export const failuresTotal = Metric.counter("volley_failures_total", {
  description: "Inputs that failed, tagged by error",
  incremental: true
})

export const requestDuration = Metric.histogram(
  "volley_request_duration_ms",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 16 }),
  "Time per input, retries included, in milliseconds"
)

const noTags: ReadonlyArray<MetricLabel.MetricLabel> = []

export const requestsInFlight = Metric.gauge("volley_requests_in_flight", {
  description: "Inputs being fetched now (retries and their waits included)"
})

let inFlight = 0

/**
 * Counts an input as started; `countRecord` counts it as done.
 * @internal
 */
export const countStarted = (): void => {
  inFlight++
  requestsInFlight.unsafeUpdate(inFlight, noTags)
}

/** The tracer every fiber has unless the program installs one. */
const builtInTracer = Effect.runSync(Effect.tracer)

/**
 * Whether `tracer` is Effect's own, which no one reads: spans would be made for nothing.
 * @internal
 */
export const isBuiltInTracer = (tracer: Tracer.Tracer): boolean => tracer === builtInTracer

const failureTags = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

/**
 * Records the metrics of one finished record (this runs once per request, so no effect step).
 * @internal
 */
export const countRecord = (record: FetchRecord): FetchRecord => {
  // An input that was never sent (not a URL) was not counted as started.
  if (record.attempts > 0 && inFlight > 0) {
    inFlight--
    requestsInFlight.unsafeUpdate(inFlight, noTags)
  }
  requestsTotal.unsafeUpdate(1, noTags)
  attemptsTotal.unsafeUpdate(record.attempts, noTags)
  requestDuration.unsafeUpdate(record.ms, noTags)
  if (!record.ok) {
    let tags = failureTags.get(record.error._tag)
    if (tags === undefined) {
      tags = [MetricLabel.make("error", record.error._tag)]
      failureTags.set(record.error._tag, tags)
    }
    failuresTotal.unsafeUpdate(1, tags)
  }
  return record
}

/**
 * Wraps one fetch in a span when `tracer` is a real one (installed by the program); with the
 * built-in tracer the fetch runs as it is. The fetch counts its record itself (`countRecord`).
 *
 * The span follows OpenTelemetry's HTTP client conventions where they fit — `url.full` (without
 * credentials), `http.request.method`, `http.response.status_code`, `http.request.resend_count`,
 * `error.type` — and adds `volley.attempts`, `volley.ok` and `volley.error`.
 * @internal
 */
export const tracedWith = (
  tracer: Tracer.Tracer,
  url: string,
  method: string,
  fetch: Effect.Effect<FetchRecord>
): Effect.Effect<FetchRecord> =>
  tracer === builtInTracer
    ? fetch
    : fetch.pipe(
      Effect.tap((record) =>
        Effect.annotateCurrentSpan({
          ...(record.status === undefined ? {} : { "http.response.status_code": record.status }),
          ...(record.attempts > 1 ? { "http.request.resend_count": record.attempts - 1 } : {}),
          "volley.attempts": record.attempts,
          "volley.ok": record.ok,
          ...(record.ok ? {} : { "volley.error": record.error._tag, "error.type": record.error._tag })
        })
      ),
      Effect.withSpan("volley.fetch", {
        kind: "client",
        attributes: { "url.full": withoutCredentials(url), "http.request.method": method }
      })
    )
