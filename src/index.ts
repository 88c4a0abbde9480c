/**
 * volley as a library: concurrent, retried, rate-limited fetching for Effect programs.
 *
 * - `Volley` — the service (`Volley.Volley`) and its layers (`layer`, `layerConfig`,
 *   `layerWithoutHttpClient`, and `layerCluster` to run on a cluster of `volley worker`s).
 * - `fetchAll` / `runStream` — the engine over the `Fetcher` service, records in input order.
 * - Errors (`TransportError`, `TimeoutError`, `StatusError`, …) and the record `Schema`.
 * - `RetryPolicy` — the retry `Schedule` (exponential, jittered, capped, honouring Retry-After).
 * - Extractors (JMESPath, CSS, regex, JSON Schema, Effect Schema), gates (rate, per-host).
 * - Checks — accepted statuses and JMESPath assertions (`makeExpectation`, `FetchOptions.expect`).
 * - `Workflow` — dependent and fan-out steps, from YAML or TypeScript; `runWorkflow`.
 * - `testing` — a fake `HttpClient` for tests without a network.
 *
 * Only these names are the API; the CLI's programs (`FetchJob`, `compare`), the pool's callback
 * lane and the undici agent's construction are internal and may change in any release.
 *
 * @module
 */
export type { Assertion, CheckedAnswer, Expectation } from "./check/Check.js"
export { isTruthy, makeExpectation, parseAssertion } from "./check/Expectation.js"
export { parseStatusList, type StatusList } from "./check/StatusList.js"
export { VolleyConfig, type VolleySettings } from "./config/VolleyConfig.js"
export * as Volley from "./Volley.js"
// The cluster layer's errors and settings: these load no cluster package (Volley.layerCluster does, when built).
export { ClusterError, ClusterUnsupported, RunCancelled } from "./cluster/ClusterError.js"
export type { ClusterVolleyOptions } from "./cluster/ClusterVolley.js"

export { parseDuration } from "./domain/DurationText.js"
export { defaultMaxJsonDepth, parseExactJson, stringifyJson } from "./domain/ExactJson.js"
export * from "./domain/FetchError.js"
export * from "./domain/FetchRecord.js"
export { OutputClosed, OutputError } from "./domain/OutputError.js"
export { parseRate, type Rate } from "./domain/RateText.js"
export { encodeRecord } from "./domain/RecordJson.js"
export * from "./domain/RequestSpec.js"
export { parseSize } from "./domain/SizeText.js"
export { UsageError } from "./domain/UsageError.js"
export {
  defaultFetchOptions,
  type FetchOptions,
  makeFetchOptions,
  redactHeaders,
  sensitiveHeaders,
  withSecretHeaders
} from "./http/FetchOptions.js"

export { acceptEncoding } from "./http/Decompression.js"
export { Fetcher, parseHttpUrl } from "./http/Fetcher.js"
export { composeGates, makeHostGate } from "./http/HostGate.js"
export { makePoliteGate } from "./http/PoliteGate.js"
export type { ProxySettings } from "./http/ProxyConfig.js"
export { makeRateGate } from "./http/RateGate.js"
export { type Answer, openGate, type RequestGate } from "./http/RequestGate.js"
export * as RetryPolicy from "./http/RetryPolicy.js"
export type { TlsSettings } from "./http/TlsOptions.js"
export { Transport, type TransportService } from "./http/Transport.js"
export { httpClientTransportLayer, undiciLayer } from "./http/TransportLayer.js"

export { expandRanges } from "./engine/RangeExpansion.js"
export { defaultRunOptions, fetchAll, type RunOptions, runStream } from "./engine/Runner.js"

export { cssExtractor } from "./extract/CssSelect.js"
export { schemaExtractor } from "./extract/EffectSchemaCheck.js"
export type { Extractor } from "./extract/Extractor.js"
export { buildExtractor } from "./extract/ExtractorChain.js"
export { jmespathExtractor } from "./extract/JmesPath.js"
export { compileJsonSchema, loadJsonSchema, withJsonSchema } from "./extract/JsonSchemaCheck.js"
export { regexExtractor } from "./extract/RegexMatch.js"

export * as Workflow from "./workflow/Workflow.js"
export { loadWorkflowFile, parseWorkflow } from "./workflow/WorkflowFile.js"
export { workflowJson, workflowPlan, workflowText } from "./workflow/WorkflowReport.js"
export {
  runWorkflow,
  type StepResult,
  type WorkflowResult,
  type WorkflowRunOptions
} from "./workflow/WorkflowRunner.js"

export * as Telemetry from "./observability/FetchTelemetry.js"
export { type DemoServer, startDemoServer } from "./server/DemoServer.js"
export * as testing from "./testing/TestHttpClient.js"
