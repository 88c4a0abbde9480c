/**
 * Whether the environment asks for OpenTelemetry export, by the standard variables. This module
 * loads nothing: the CLI reads it at start-up and loads the exporters (`OtelExport.ts`) only
 * when the answer is yes.
 *
 * - `OTEL_SDK_DISABLED=true` turns everything off.
 * - Traces are exported when `OTEL_TRACES_EXPORTER` is `otlp` (the one exporter volley has:
 *   `console` would write into the records on stdout), or
 *   when it is unset and an OTLP endpoint is given (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); `none` turns them off. Metrics likewise, with
 *   `OTEL_METRICS_EXPORTER` and `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`.
 *
 * @module
 */

export type Env = Readonly<Record<string, string | undefined>>

export type SignalExporter = "otlp"

/** What to export: one exporter per signal, or none. */
export interface OtelPlan {
  readonly traces: SignalExporter | undefined
  readonly metrics: SignalExporter | undefined
}

const given = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value === undefined || value === "" ? undefined : value
}

/** The exporter a signal uses; an unknown name is left out, with a warning (as the spec says). */
const signal = (
  env: Env,
  variable: string,
  endpoint: string,
  warnings: Array<string>
): SignalExporter | undefined => {
  const names = given(env, variable)
  if (names === undefined) {
    return given(env, "OTEL_EXPORTER_OTLP_ENDPOINT") !== undefined || given(env, endpoint) !== undefined
      ? "otlp"
      : undefined
  }
  // A list is allowed by the spec; volley has one exporter, so it is used when listed.
  const listed = names.split(",").map((n) => n.trim().toLowerCase())
  if (listed.includes("otlp")) return "otlp"
  if (!listed.every((name) => name === "none")) {
    warnings.push(`${variable}=${names}: volley exports with otlp only (or none); not exported`)
  }
  return undefined
}

const protocolVariables = [
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"
]

/**
 * The export the environment asks for (`plan` undefined when none: nothing then loads), and
 * warnings about values volley does not know.
 */
export const otelPlan = (
  env: Env
): { readonly plan: OtelPlan | undefined; readonly warnings: ReadonlyArray<string> } => {
  const warnings: Array<string> = []
  if (given(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true") return { plan: undefined, warnings }
  const traces = signal(env, "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", warnings)
  const metrics = signal(env, "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", warnings)
  if (traces !== undefined || metrics !== undefined) {
    for (const variable of protocolVariables) {
      const protocol = given(env, variable)
      if (protocol !== undefined && protocol.toLowerCase() === "grpc") {
        warnings.push(`${variable}=grpc: volley sends OTLP over HTTP (JSON); use the collector's HTTP port (4318)`)
      }
    }
  }
  return { plan: traces === undefined && metrics === undefined ? undefined : { traces, metrics }, warnings }
}
