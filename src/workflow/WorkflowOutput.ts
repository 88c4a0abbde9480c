/**
 * A workflow's result as `volley run` prints it and as the library returns it — one shape:
 * `{"name":…,"steps":{"users":{record},"posts":[records],"later":{"skipped":"…"}},"ms":…}`.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import type { FetchRecord } from "../domain/FetchRecord.js"
import type { Workflow } from "./Workflow.js"
import { runWorkflowSteps, type WorkflowResult, type WorkflowRunOptions } from "./WorkflowRunner.js"

/**
 * One step: its record (a single request), its records in item order (a `forEach`), or why it
 * sent nothing — `{ skipped }` when a step it needs failed, `{ failed }` when it could not start
 * (an input that did not render, a directory that could not be made).
 */
export type StepOutput =
  | FetchRecord
  | ReadonlyArray<FetchRecord>
  | { readonly skipped: string }
  | { readonly failed: string }

export interface WorkflowOutput {
  readonly name: string
  readonly steps: Readonly<Record<string, StepOutput>>
  /** The whole run, in whole milliseconds. */
  readonly ms: number
}

/** The runner's per-step detail in the printed shape. */
export const workflowOutput = (result: WorkflowResult): WorkflowOutput => {
  const steps: Record<string, StepOutput> = {}
  for (const [name, step] of Object.entries(result.steps)) {
    steps[name] = step.records !== undefined
      ? step.records
      : step.status === "skipped"
      ? { skipped: step.reason ?? "" }
      : { failed: step.reason ?? "" }
  }
  return { name: result.name, steps, ms: Math.round(result.ms) }
}

/** A step's records (none when it was skipped or could not start). */
export const stepRecords = (step: StepOutput | undefined): ReadonlyArray<FetchRecord> =>
  step === undefined || "skipped" in step || "failed" in step ? [] : Array.isArray(step) ? step : [step as FetchRecord]

/** Runs every step of `workflow`; never fails: a step's failure is in its output. */
export const runWorkflow = (workflow: Workflow, options?: WorkflowRunOptions) =>
  runWorkflowSteps(workflow, options).pipe(Effect.map(workflowOutput))
