/**
 * volley as a library: concurrent, retried, rate-limited fetching for Effect programs.
 *
 * - `Volley` — the service (`Volley.Volley`: `fetchAll`, `stream`, `fetchOne`, `runWorkflow`) and
 *   its layers (`layer`, `layerConfig`, `layerWithoutHttpClient`, `layerWithoutTransport`, and
 *   `layerCluster` to run on a cluster of `volley worker`s).
 * - The transport — `Transport`, `undiciLayer` (the fast lane), `httpClientTransportLayer`.
 * - Options and records — `FetchOptions`, `RequestSpec`, the record `Schema`, `encodeRecord`.
 * - Errors — one `Schema.TaggedError` class per failure, `isTransient`, `InvalidExpression`; the
 *   cluster layer's `ClusterError`, `ClusterUnsupported`, `RunCancelled`.
 * - `RetryPolicy` — the retry `Schedule` (exponential, jittered, capped, honouring Retry-After).
 * - Extractors (JMESPath, CSS, regex, JSON Schema, Effect Schema), gates (rate, per host, polite).
 * - Checks — accepted statuses and JMESPath assertions (`makeExpectation`).
 * - `Workflow` — dependent and fan-out steps, from YAML or TypeScript, run by `Volley.runWorkflow`.
 * - `testing` — a fake `HttpClient` and `Transport` for tests without a network; `startDemoServer`.
 *
 * These names are the whole API: the package's `exports` map has only this entry, and every
 * other module (the engine's pool, the Fetcher, the CLI's programs, the undici agent) is internal
 * and may change in any release. `test/PublicApi.test.ts` pins the list.
 *
 * @module
 */
export { VolleyConfig, type VolleySettings } from "./config/VolleyConfig.js"
export * as Volley from "./Volley.js"
// The cluster layer's errors and settings: these load no cluster package (Volley.layerCluster does, when built).
export { ClusterError, ClusterUnsupported, RunCancelled } from "./cluster/ClusterError.js"
export type { ClusterVolleyOptions } from "./cluster/ClusterVolley.js"

export type { ProxySettings } from "./http/ProxyConfig.js"
export type { TlsSettings } from "./http/TlsOptions.js"
export { Transport, type TransportService } from "./http/Transport.js"
export { httpClientTransportLayer, undiciLayer } from "./http/TransportLayer.js"
export type { PoolOptions } from "./http/UndiciAgent.js"

export { parseDuration } from "./domain/DurationText.js"
export * from "./domain/FetchRecord.js"
export { parseRate, type Rate } from "./domain/RateText.js"
export { encodeRecord } from "./domain/RecordJson.js"
export { Method, RequestSpec } from "./domain/RequestSpec.js"
export { parseSize } from "./domain/SizeText.js"
export { expandRanges } from "./engine/RangeExpansion.js"
export {
  defaultFetchOptions,
  type FetchOptions,
  makeFetchOptions,
  type RequestSettings,
  sensitiveHeaders,
  withSecretHeaders
} from "./http/FetchOptions.js"

export {
  AssertionError,
  BodyTooLarge,
  DecodeError,
  ExtractError,
  type FetchError,
  type FetchErrorTag,
  fetchErrorTags,
  InvalidInputLine,
  InvalidRequest,
  InvalidUrl,
  isTransient,
  isTransientStatus,
  OutcomeUnknown,
  RateLimited,
  SchemaError,
  StatusError,
  TimeoutError,
  TransportError
} from "./domain/FetchError.js"
export { InvalidExpression } from "./domain/InvalidExpression.js"
export { UsageError } from "./domain/UsageError.js"
export * as RetryPolicy from "./http/RetryPolicy.js"

export { composeGates, makeHostGate } from "./http/HostGate.js"
export { makePoliteGate } from "./http/PoliteGate.js"
export { makeRateGate } from "./http/RateGate.js"
export { type Answer, openGate, type RequestGate } from "./http/RequestGate.js"

export { cssExtractor } from "./extract/CssSelect.js"
export { schemaExtractor } from "./extract/EffectSchemaCheck.js"
export type { Extractor } from "./extract/Extractor.js"
export { compileExtractor, ExtractorSpec } from "./extract/ExtractorSpec.js"
export { jmespathExtractor } from "./extract/JmesPath.js"
export { compileJsonSchema, type JsonValidator, loadJsonSchema, withJsonSchema } from "./extract/JsonSchemaCheck.js"
export { regexExtractor } from "./extract/RegexMatch.js"

export type { Assertion, CheckedAnswer, Expectation } from "./check/Check.js"
export { type ExpectationInput, makeExpectation, parseAssertion } from "./check/Expectation.js"
export { parseStatusList, type StatusList } from "./check/StatusList.js"

export * as Workflow from "./workflow/Workflow.js"
export { loadWorkflowFile, parseWorkflow } from "./workflow/WorkflowFile.js"
export { type StepOutput, stepRecords, type WorkflowOutput } from "./workflow/WorkflowOutput.js"
export type { WorkflowRunOptions } from "./workflow/WorkflowRunner.js"

export * as Telemetry from "./observability/FetchTelemetry.js"
export { type DemoServer, startDemoServer } from "./server/DemoServer.js"
export * as testing from "./testing/TestHttpClient.js"

// Types the signatures above refer to (no values): for options objects, a Transport or a gate of your own.
export type { ResponseBody } from "./domain/ResponseBody.js"
export type { ExtractFailure } from "./extract/Extractor.js"
export type { Timings } from "./http/ConnectTimings.js"
export type { SessionCookies } from "./http/CookieJar.js"
export type { Login, LoginSource } from "./http/Credentials.js"
export type { Exchange, ExchangeLog } from "./http/ExchangeLog.js"
export type { HostGateOptions } from "./http/HostGate.js"
export type { InFlight } from "./http/InFlight.js"
export type { PoliteOptions } from "./http/PoliteGate.js"
export type { Hop } from "./http/Redirect.js"
export type { HttpVersion, Learn } from "./http/RequestGate.js"
export type { BodySink, SavedFile } from "./http/SaveBody.js"
export type { SendError, SendLimits, SendOutcome, StartAttempt } from "./http/Transport.js"
export type { DemoServerOptions } from "./server/DemoServer.js"
export type { ServerStatsService, StatsSnapshot } from "./server/ServerStats.js"
export type { StepOptions } from "./workflow/Workflow.js"
