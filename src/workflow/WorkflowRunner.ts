/**
 * Runs a workflow: every step starts as soon as the steps it depends on are done, so
 * independent branches run side by side; a forEach step fans out with its own concurrency. A
 * failed step skips the steps that depend on it — without sending their requests — and the
 * other branches go on, unless `failFast`.
 *
 * @module
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { mkdir } from "node:fs/promises"
import { messageOf } from "../domain/ErrorText.js"
import { InvalidUrl } from "../domain/FetchError.js"
import type { FetchRecord } from "../domain/FetchRecord.js"
import type { IndexedRequest, RequestSpec } from "../domain/RequestSpec.js"
import { defaultRunOptions, runStream } from "../engine/Runner.js"
import { makeSessionCookies } from "../http/CookieJar.js"
import { Fetcher } from "../http/Fetcher.js"
import { defaultFetchOptions, type FetchOptions } from "../http/FetchOptions.js"
import { makeFileNamer } from "../http/SaveBody.js"
import { renderTemplate, type TemplateProblem } from "./Template.js"
import type { CompiledStep, Workflow } from "./Workflow.js"

export type StepStatus = "ok" | "failed" | "skipped"

export interface StepResult {
  readonly name: string
  readonly status: StepStatus
  /** One record for a single request; one per item, in item order, for a forEach. */
  readonly records: FetchRecord | ReadonlyArray<FetchRecord> | undefined
  readonly ok: number
  readonly failed: number
  readonly ms: number
  /** Why the step failed or was skipped. */
  readonly reason: string | undefined
}

export interface WorkflowResult {
  readonly name: string
  readonly steps: Readonly<Record<string, StepResult>>
  readonly ms: number
}

/** The input for one item: its request, or, when a value made it unsafe, why (its record fails unsent). */
const itemInput = (index: number, template: string, request: RequestSpec | TemplateProblem): IndexedRequest =>
  "message" in request
    ? { index, request: { url: template }, invalid: new InvalidUrl({ input: template, message: request.message }) }
    : { index, request }

class StopAll extends Data.TaggedError("StopAll")<{ readonly step: string }> {}

const skipped = (name: string, reason: string): StepResult => ({
  name,
  status: "skipped",
  records: undefined,
  ok: 0,
  failed: 0,
  ms: 0,
  reason
})

const requestFor = (
  step: CompiledStep,
  context: Record<string, unknown>
): Either.Either<RequestSpec, TemplateProblem> =>
  Either.gen(function*() {
    const url = yield* renderTemplate(step.url, context, "url")
    const headers: Record<string, string> = {}
    for (const [name, template] of step.headers) headers[name] = yield* renderTemplate(template, context)
    const body = step.body === undefined ? undefined : yield* renderTemplate(step.body, context)
    return {
      url,
      ...(step.method === undefined ? {} : { method: step.method }),
      ...(step.headers.length === 0 ? {} : { headers }),
      ...(body === undefined ? {} : { body })
    }
  })

/**
 * What a step sends, given its dependencies' records in `context`: one input for a single
 * request, one per item (in item order) for a forEach; or why it cannot send anything. Shared
 * with the cluster mode, which sends the same inputs through its host buckets.
 */
export const stepInputs = (
  step: CompiledStep,
  context: Record<string, unknown>
): Either.Either<ReadonlyArray<IndexedRequest>, string> => {
  if (step.forEach === undefined) {
    const request = requestFor(step, context)
    if (Either.isLeft(request) && !request.left.unsafeValue) return Either.left(request.left.message)
    return Either.right([itemInput(0, step.url.source, Either.merge(request))])
  }
  const items = step.forEach.search(context)
  if (Either.isLeft(items)) return Either.left(`forEach '${step.forEach.source}' failed: ${items.left}`)
  if (!Array.isArray(items.right)) {
    const kind = items.right === null ? "null" : typeof items.right
    return Either.left(`forEach '${step.forEach.source}' gave ${kind}, not an array`)
  }
  const inputs: Array<IndexedRequest> = []
  for (const [index, item] of (items.right as ReadonlyArray<unknown>).entries()) {
    const request = requestFor(step, { ...context, item, index })
    if (Either.isLeft(request) && !request.left.unsafeValue) {
      return Either.left(`item ${index}: ${request.left.message}`)
    }
    inputs.push(itemInput(index, step.url.source, Either.merge(request)))
  }
  return Either.right(inputs)
}

/** A step's result from its records: failed when any record failed (or `reason` says why). */
export const stepResult = (
  name: string,
  records: FetchRecord | ReadonlyArray<FetchRecord>,
  ms: number,
  reason?: string
): StepResult => {
  const list = Array.isArray(records) ? records : [records as FetchRecord]
  const ok = list.filter((r) => r.ok).length
  const failed = list.length - ok
  return {
    name,
    status: failed > 0 || reason !== undefined ? "failed" : "ok",
    records,
    ok,
    failed,
    ms,
    reason: reason ?? (failed === 0 ? undefined : `${failed} of ${list.length} requests failed`)
  }
}

/** A step that sent nothing: why it failed. */
export const failedStepResult = (name: string, ms: number, reason: string): StepResult => ({
  name,
  status: "failed",
  records: undefined,
  ok: 0,
  failed: 0,
  ms,
  reason
})

/** How a workflow runs: fail-fast, and the fetch settings its steps start from (the layer's defaults). */
export interface WorkflowRunOptions {
  /** Stop every step once one fails. */
  readonly failFast?: boolean
  /** What a step does not set (time-out, retries, limits…): volley's defaults when absent. */
  readonly fetch?: FetchOptions
}

/**
 * Runs every step of `workflow`; never fails: a step's failure is in its result. The per-step
 * detail (status, counts, time) is what the text report prints; `WorkflowOutput.runWorkflow`
 * gives the public shape.
 */
export const runWorkflowSteps = Effect.fn("volley.runWorkflow")(function*(
  workflow: Workflow,
  options: WorkflowRunOptions = {}
) {
  const base = options.fetch ?? defaultFetchOptions
  const fetcher = yield* Fetcher
  // One jar for the run, as a browser session: every step's Set-Cookie, sent on later matching requests.
  const cookies = makeSessionCookies()
  const started = yield* Clock.currentTimeMillis
  const results = new Map<string, StepResult>()
  const done = new Map<string, Deferred.Deferred<StepResult>>()
  for (const step of workflow.steps) done.set(step.name, yield* Deferred.make<StepResult>())

  const runStep = (step: CompiledStep) =>
    Effect.gen(function*() {
      const deps = yield* Effect.forEach(step.dependsOn, (dep) => Deferred.await(done.get(dep)!))
      const blocked = deps.find((d) => d.status !== "ok")
      if (blocked !== undefined) {
        return skipped(
          step.name,
          `depends on '${blocked.name}', which ${blocked.status === "failed" ? "failed" : "was skipped"}`
        )
      }
      const context: Record<string, unknown> = { vars: workflow.vars }
      for (const dep of deps) context[dep.name] = dep.records
      const start = yield* Clock.currentTimeMillis
      // A step that saves writes the bytes as sent, of any size (as `--save-dir` does).
      const save = step.save
      const fetchOptions: FetchOptions = {
        ...base,
        ...(save === undefined ? {} : {
          save: { nameFor: makeFileNamer(save.dir, save.name) },
          maxBodyBytes: Infinity,
          decompress: false
        }),
        ...(step.timeout === undefined ? {} : { timeout: step.timeout }),
        ...(step.retries === undefined ? {} : { retry: { ...base.retry, retries: step.retries } }),
        ...(step.decompress === undefined ? {} : { decompress: step.decompress }),
        extractor: step.extractor,
        expect: step.expect,
        // Later steps' templates may read a step's `headers` (a token, a `Link`) and `finalUrl`.
        includeHeaders: true,
        cookies
      }
      const finish = (records: FetchRecord | ReadonlyArray<FetchRecord>) =>
        Effect.map(Clock.currentTimeMillis, (now) => stepResult(step.name, records, now - start))
      const failedStep = (reason: string) =>
        Effect.map(Clock.currentTimeMillis, (now) => failedStepResult(step.name, now - start, reason))

      if (save !== undefined) {
        const made = yield* Effect.either(Effect.tryPromise(() => mkdir(save.dir, { recursive: true })))
        if (Either.isLeft(made)) {
          return yield* failedStep(`save: cannot make ${save.dir}: ${messageOf(made.left.error)}`)
        }
      }

      const inputs = stepInputs(step, context)
      if (Either.isLeft(inputs)) return yield* failedStep(inputs.left)
      if (step.forEach === undefined) return yield* finish(yield* fetcher.fetchOne(inputs.right[0]!, fetchOptions))
      // Through the engine `volley fetch` uses: the ordered pool, in item order.
      const records = yield* Stream.runCollect(runStream(
        Stream.fromIterable(inputs.right),
        { ...defaultRunOptions, concurrency: step.concurrency, fetch: fetchOptions }
      ))
      return yield* finish(Chunk.toArray(records))
    }).pipe(
      // One span per step (its requests' spans inside), when a tracer is installed.
      Effect.tap((result) => Effect.annotateCurrentSpan({ "volley.step.status": result.status })),
      Effect.withSpan("volley.step", { attributes: { "volley.step": step.name } }),
      Effect.tap((result) =>
        Effect.zipRight(
          Effect.sync(() => results.set(step.name, result)),
          Deferred.succeed(done.get(step.name)!, result)
        )
      ),
      Effect.flatMap((result) =>
        options.failFast === true && result.status === "failed"
          ? Effect.fail(new StopAll({ step: step.name }))
          : Effect.void
      )
    )

  const stopped = yield* Effect.forEach(workflow.steps, runStep, { concurrency: "unbounded", discard: true }).pipe(
    Effect.as(undefined),
    Effect.catchTag("StopAll", (stop) => Effect.succeed(stop.step))
  )
  const steps: Record<string, StepResult> = {}
  for (const wave of workflow.waves) {
    for (const name of wave) {
      steps[name] = results.get(name) ??
        skipped(name, `not run: --fail-fast stopped the workflow after '${stopped}' failed`)
    }
  }
  return { name: workflow.name, steps, ms: (yield* Clock.currentTimeMillis) - started } satisfies WorkflowResult
})
