/**
 * `volley run FILE --cluster URL`: the workflow as an `@effect/workflow` execution on the
 * cluster's workers (`ClusterWorkflowEngine`). Each step is an activity; its requests go, as a
 * run of their own (`wf/KEY/STEP`), through the host-bucket entities `volley fetch --cluster`
 * uses, so the same per-host politeness holds, and its records are stored in volley_results.
 *
 * The engine journals each finished activity: an execution whose worker died resumes on
 * another and skips the finished steps. A step's activity run again sends its batches again
 * under the same keys, and the workers skip the indices already stored: no finished request is
 * sent twice. The execution's key (`--id`) is its idempotency key: the same key twice runs once.
 *
 * @module
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as Activity from "@effect/workflow/Activity"
import * as WorkflowApi from "@effect/workflow/Workflow"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Defaults } from "../domain/Defaults.js"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { defaultFetchOptions } from "../http/FetchOptions.js"
import type { Workflow } from "../workflow/Workflow.js"
import { parseWorkflow } from "../workflow/WorkflowFile.js"
import { failedStepResult, type StepResult, stepResult, type WorkflowResult } from "../workflow/WorkflowRunner.js"
import { stepInputs } from "../workflow/WorkflowRunner.js"
import { ClusterError, clusterError, RunCancelled } from "./ClusterError.js"
import type { RunSettings } from "./RunSettings.js"
import { retrySocketDefects } from "./SocketRetry.js"
import { newRunId, runRecords, submitRun } from "./Submit.js"

/** What a worker needs to run the workflow: its text, as the submitting process read it. */
const Payload = Schema.Struct({
  key: Schema.String,
  source: Schema.String,
  file: Schema.String,
  vars: Schema.Record({ key: Schema.String, value: Schema.String }),
  failFast: Schema.Boolean,
  startedAt: Schema.Number
})
export type ExecutionPayload = typeof Payload.Type

/** A new execution key (`wf-…`), for a run given none. */
export const newExecutionKey = (): string => newRunId().replace(/^run-/, "wf-")

/**
 * What the workers need to run `workflow` under `key`: the document it was compiled from, its
 * name in messages and the variables given over the file's own (a file's, or a `Workflow.make`
 * definition's).
 */
export const executionPayload = (workflow: Workflow, key: string, failFast: boolean): ExecutionPayload => ({
  key,
  source: workflow.origin.text,
  file: workflow.origin.source,
  vars: workflow.origin.overrides,
  failFast,
  startedAt: Date.now()
})

/** A step as journaled: its outcome; its records are in volley_results under `run`. */
const StepSummary = Schema.Struct({
  name: Schema.String,
  status: Schema.Literal("ok", "failed", "skipped"),
  run: Schema.optional(Schema.String),
  single: Schema.Boolean,
  ok: Schema.Number,
  failed: Schema.Number,
  ms: Schema.Number,
  reason: Schema.optional(Schema.String)
})
type StepSummary = typeof StepSummary.Type

const ExecutionResult = Schema.Struct({ name: Schema.String, steps: Schema.Array(StepSummary), ms: Schema.Number })

export const VolleyWorkflow = WorkflowApi.make({
  name: "VolleyWorkflow",
  payload: Payload,
  success: ExecutionResult,
  error: Schema.Union(ClusterError, RunCancelled),
  idempotencyKey: (payload) => payload.key
})

const runOf = (key: string, step: string) => `wf/${key}/${step}`

/** A step's records, read back in item order (one record for a single request). */
const stepRecords = (summary: StepSummary) =>
  summary.run === undefined
    ? Effect.succeed(undefined)
    : Stream.runCollect(runRecords(summary.run, { follow: false })).pipe(
      Effect.map((chunk): FetchRecord | ReadonlyArray<FetchRecord> => {
        const records = Chunk.toArray(chunk)
        return summary.single ? records[0]! : records
      })
    )

const compile = (payload: ExecutionPayload) =>
  Effect.mapError(parseWorkflow(payload.source, payload.file, payload.vars), (e) => clusterError("the workflow")(e))

const summaryOf = (result: StepResult, run: string | undefined, single: boolean): StepSummary => ({
  name: result.name,
  status: result.status,
  ...(run === undefined ? {} : { run }),
  single,
  ok: result.ok,
  failed: result.failed,
  ms: result.ms,
  ...(result.reason === undefined ? {} : { reason: result.reason })
})

/** The settings a step's requests are sent with: volley's defaults and the step's own. */
const settingsOf = (payload: ExecutionPayload, workflow: Workflow, name: string): RunSettings => {
  const step = workflow.steps.find((s) => s.name === name)!
  const base = defaultFetchOptions
  return {
    timeoutMs: Duration.toMillis(step.timeout ?? base.timeout),
    retries: step.retries ?? base.retry.retries,
    backoffMs: Duration.toMillis(base.retry.backoff),
    maxBackoffMs: Duration.toMillis(base.retry.maxBackoff),
    method: "GET",
    headers: {},
    secretHeaders: [...base.secretHeaders],
    keepBody: base.keepBody,
    maxBodyBytes: base.maxBodyBytes,
    maxRedirects: base.maxRedirects,
    maxJsonDepth: base.maxJsonDepth,
    decompress: step.decompress ?? base.decompress,
    // Later steps' templates may read a step's headers, as in a local run.
    includeHeaders: true,
    resendUnsafe: false,
    workflowStep: { source: payload.source, file: payload.file, vars: payload.vars, step: name }
  }
}

/** One step's activity: render its inputs from its dependencies' records, send them, wait for them. */
const stepActivity = (payload: ExecutionPayload, workflow: Workflow, name: string, deps: ReadonlyArray<StepSummary>) =>
  Activity.make({
    name: `step/${name}`,
    success: StepSummary,
    error: Schema.Union(ClusterError, RunCancelled),
    execute: Effect.gen(function*() {
      const step = workflow.steps.find((s) => s.name === name)!
      const started = Date.now()
      const context: Record<string, unknown> = { vars: workflow.vars }
      for (const dep of deps) context[dep.name] = yield* stepRecords(dep)
      const inputs = stepInputs(step, context)
      if (Either.isLeft(inputs)) {
        return summaryOf(failedStepResult(name, Date.now() - started, inputs.left), undefined, false)
      }
      const run = runOf(payload.key, name)
      const { records } = yield* submitRun(Stream.fromIterable(inputs.right), {
        settings: settingsOf(payload, workflow, name),
        // Those of `volley fetch --cluster`.
        buckets: Defaults.clusterBuckets,
        chunkSize: Defaults.clusterChunkSize,
        run,
        again: true
      })
      const list = Chunk.toArray(yield* Stream.runCollect(records))
      const single = step.forEach === undefined
      return summaryOf(stepResult(name, single ? list[0]! : list, Date.now() - started), run, single)
    })
  })

/** The workflow's body: every step once its dependencies are done, independent ones side by side. */
const execution = (payload: ExecutionPayload) =>
  Effect.gen(function*() {
    const workflow = yield* compile(payload)
    const done = new Map<string, Deferred.Deferred<StepSummary>>()
    for (const step of workflow.steps) done.set(step.name, yield* Deferred.make<StepSummary>())
    let stoppedAfter: string | undefined
    const skipped = (name: string, reason: string): StepSummary => ({
      name,
      status: "skipped",
      single: false,
      ok: 0,
      failed: 0,
      ms: 0,
      reason
    })
    yield* Effect.forEach(workflow.steps, (step) =>
      Effect.gen(function*() {
        const deps = yield* Effect.forEach(step.dependsOn, (dep) => Deferred.await(done.get(dep)!))
        const blocked = deps.find((d) => d.status !== "ok")
        const summary: StepSummary = blocked !== undefined
          ? skipped(
            step.name,
            `depends on '${blocked.name}', which ${blocked.status === "failed" ? "failed" : "was skipped"}`
          )
          : stoppedAfter !== undefined
          ? skipped(step.name, `not run: --fail-fast stopped the workflow after '${stoppedAfter}' failed`)
          : yield* stepActivity(payload, workflow, step.name, deps)
        if (payload.failFast && summary.status === "failed" && stoppedAfter === undefined) stoppedAfter = step.name
        yield* Deferred.succeed(done.get(step.name)!, summary)
      }), { concurrency: "unbounded", discard: true })
    const steps: Array<StepSummary> = []
    for (const wave of workflow.waves) {
      for (const name of wave) steps.push(yield* Deferred.await(done.get(name)!))
    }
    return { name: workflow.name, steps, ms: Date.now() - payload.startedAt }
  })

/** On a worker: the workflow registered with the cluster's engine. */
export const workflowWorkerLayer = VolleyWorkflow.toLayer((payload) => execution(payload)).pipe(
  Layer.provideMerge(ClusterWorkflowEngine.layer)
)

/** On the submitting process: the engine, to start an execution and wait for its result. */
export const workflowClientLayer = ClusterWorkflowEngine.layer

/** Runs (or, for a key already run, reads back) the execution, then its steps' records: a local run's result. */
export const executeWorkflow = (payload: ExecutionPayload) =>
  Effect.gen(function*() {
    // The key makes the execution idempotent: started again after a socket failed, it is the same one.
    const result = yield* VolleyWorkflow.execute(payload).pipe(
      retrySocketDefects(`running workflow execution ${payload.key}`)
    )
    const steps: Record<string, StepResult> = {}
    for (const summary of result.steps) {
      steps[summary.name] = {
        name: summary.name,
        status: summary.status,
        records: yield* stepRecords(summary),
        ok: summary.ok,
        failed: summary.failed,
        ms: summary.ms,
        reason: summary.reason
      }
    }
    return { name: result.name, steps, ms: result.ms } satisfies WorkflowResult
  })
