/**
 * What `volley run` prints besides the JSON (`WorkflowOutput.ts`): a per-step table in dependency
 * order, or, for `--dry-run`, the plan.
 *
 * @module
 */
import { formatMillis } from "../domain/DurationText.js"
import type { FailedRecord, FetchRecord } from "../domain/FetchRecord.js"
import type { Workflow } from "./Workflow.js"
import type { StepResult, WorkflowResult } from "./WorkflowRunner.js"

/** Why a step's requests failed: the first failed record's error and URL, and how many share the tag. */
const firstFailure = (records: StepResult["records"]): string | undefined => {
  const all = records === undefined ? [] : Array.isArray(records) ? records : [records as FetchRecord]
  const failed = all.filter((record): record is FailedRecord => !record.ok)
  const first = failed[0]
  if (first === undefined) return undefined
  const same = failed.filter((record) => record.error._tag === first.error._tag).length
  return `${first.error._tag}: ${first.error.message} (${first.url}${
    failed.length > 1 ? `; ${same} of ${failed.length} failed records are ${first.error._tag}` : ""
  })`
}

const seconds = (ms: number) => formatMillis(ms)

/** One line per step, in dependency order, then the total. */
export const workflowText = (result: WorkflowResult): string => {
  const rows = Object.values(result.steps)
  const width = Math.max(4, ...rows.map((r) => r.name.length))
  const lines = [
    `${"step".padEnd(width)}  ${"records".padStart(7)}  ${"ok".padStart(5)}  ${"failed".padStart(6)}  ${
      "time".padStart(8)
    }  status`
  ]
  for (const row of rows) {
    const records = row.records === undefined ? 0 : Array.isArray(row.records) ? row.records.length : 1
    lines.push(
      `${row.name.padEnd(width)}  ${String(records).padStart(7)}  ${String(row.ok).padStart(5)}  ${
        String(row.failed).padStart(6)
      }  ${seconds(row.ms).padStart(8)}  ${row.status}${row.reason === undefined ? "" : `: ${row.reason}`}`
    )
    const why = row.status === "ok" ? undefined : firstFailure(row.records)
    if (why !== undefined) lines.push(`${" ".repeat(width)}  ↳ ${why}`)
  }
  const failed = rows.filter((r) => r.status !== "ok").length
  lines.push(`${result.name}: ${rows.length - failed} of ${rows.length} steps ok in ${seconds(result.ms)}`)
  return lines.join("\n") + "\n"
}

/** The plan: waves of steps that run side by side, and what each one requests. */
export const workflowPlan = (workflow: Workflow): string => {
  const lines = [`${workflow.name}: ${workflow.steps.length} steps in ${workflow.waves.length} waves (nothing is sent)`]
  workflow.waves.forEach((wave, i) => {
    lines.push(`wave ${i + 1}${wave.length > 1 ? ` (${wave.length} in parallel)` : ""}:`)
    for (const name of wave) {
      const step = workflow.steps.find((s) => s.name === name)!
      const method = step.method ?? "GET"
      const fanOut = step.forEach === undefined
        ? ""
        : ` for each of ${step.forEach.source} (concurrency ${step.concurrency})`
      const after = step.dependsOn.length === 0 ? "" : ` after ${step.dependsOn.join(", ")}`
      lines.push(`  ${name}: ${method} ${step.url.source}${fanOut}${after}`)
    }
  })
  return lines.join("\n") + "\n"
}
