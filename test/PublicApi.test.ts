/**
 * The package's whole runtime surface, pinned: a name added to or dropped from `src/index.ts`
 * (or from one of its namespaces) fails here, so the API changes only on purpose. Names marked
 * `@internal` in a namespace are listed apart: they are exported for volley's own modules and
 * left out of the docs.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Api from "../src/index.js"

const namespaces = ["RetryPolicy", "Telemetry", "Volley", "Workflow", "testing"] as const

const internal: Record<string, ReadonlyArray<string>> = {
  RetryPolicy: ["describeWait", "isRetryable", "parseRetryAfter"],
  Telemetry: ["countRecord", "countStarted", "isBuiltInTracer", "tracedWith"],
  Volley: ["make"],
  Workflow: ["compileWorkflow", "decodeOptions", "describeProblem", "firstIssue"]
}

describe("the public API", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(Api).sort()).toEqual([
      "AssertionError",
      "BodyTooLarge",
      "ClusterError",
      "ClusterUnsupported",
      "DecodeError",
      "ExtractError",
      "ExtractorSpec",
      "FailedRecord",
      "FetchRecord",
      "FetchRecordFromJson",
      "InvalidExpression",
      "InvalidInputLine",
      "InvalidRequest",
      "InvalidUrl",
      "Method",
      "OkRecord",
      "OutcomeUnknown",
      "RateLimited",
      "RecordError",
      "RecordHeaders",
      "RecordTimings",
      "RequestSpec",
      "RetryPolicy",
      "RunCancelled",
      "SchemaError",
      "StatusError",
      "Telemetry",
      "TimeoutError",
      "Transport",
      "TransportError",
      "UsageError",
      "Volley",
      "VolleyConfig",
      "Workflow",
      "compileExtractor",
      "compileJsonSchema",
      "composeGates",
      "cssExtractor",
      "defaultFetchOptions",
      "encodeRecord",
      "expandRanges",
      "fetchErrorTags",
      "httpClientTransportLayer",
      "isTransient",
      "isTransientStatus",
      "jmespathExtractor",
      "loadJsonSchema",
      "loadWorkflowFile",
      "makeExpectation",
      "makeFetchOptions",
      "makeHostGate",
      "makePoliteGate",
      "makeRateGate",
      "openGate",
      "parseAssertion",
      "parseDuration",
      "parseRate",
      "parseSize",
      "parseStatusList",
      "parseWorkflow",
      "regexExtractor",
      "schemaExtractor",
      "sensitiveHeaders",
      "startDemoServer",
      "stepRecords",
      "testing",
      "undiciLayer",
      "withJsonSchema",
      "withSecretHeaders"
    ])
  })

  it("namespaces hold their public members, and the internal ones named here", () => {
    const publicMembers = (name: typeof namespaces[number]) =>
      Object.keys(Api[name]).filter((key) => !(internal[name] ?? []).includes(key)).sort()
    expect(Object.fromEntries(namespaces.map((name) => [name, publicMembers(name)]))).toEqual({
      RetryPolicy: ["defaultRetryOptions", "retrySchedule"],
      Telemetry: ["attemptsTotal", "failuresTotal", "requestDuration", "requestsInFlight", "requestsTotal"],
      Volley: ["Volley", "layer", "layerCluster", "layerConfig", "layerWithoutHttpClient", "layerWithoutTransport"],
      Workflow: ["forEach", "make", "request"],
      testing: ["fromTable", "layer", "make", "makeWithTraffic"]
    })
    for (const [name, members] of Object.entries(internal)) {
      for (const member of members) expect(Object.keys(Api[name as typeof namespaces[number]])).toContain(member)
    }
  })

  it("the workflow result has the shape volley run prints", () => {
    const record = { index: 0, url: "http://t/a", ok: true as const, status: 200, attempts: 1, ms: 1 }
    const steps = { a: record, b: [record], c: { skipped: "a failed" } }
    expect(Api.stepRecords(steps.a)).toEqual([record])
    expect(Api.stepRecords(steps.b)).toEqual([record])
    expect(Api.stepRecords(steps.c)).toEqual([])
  })
})
