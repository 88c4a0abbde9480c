/**
 * The end-of-run summary printed on standard error.
 *
 * @module
 */
import { formatMillis } from "../domain/DurationText.js"
import type { RunSummary } from "../engine/RunStats.js"

const ms = (value: number) => formatMillis(value, { msDigits: 1 })

/** The summary as a few lines of text. */
export const renderSummary = (summary: RunSummary): string => {
  const failures = Object.entries(summary.failedByTag)
    .sort(([, a], [, b]) => b - a)
    .map(([tag, count]) => `${tag} ${count}`)
    .join(", ")
  const lines = [
    `${summary.interrupted ? "interrupted: " : ""}${summary.total} done: ${summary.ok} ok, ${summary.failed} failed${
      failures === "" ? "" : ` (${failures})`
    }${summary.attempts > summary.total ? `, ${summary.attempts} attempts` : ""}`,
    `time ${ms(summary.wallMs)}, ${summary.requestsPerSecond.toFixed(1)} req/s${
      summary.batches === undefined ? "" : `, ${summary.batches} batches`
    }`,
    `latency p50 ${ms(summary.p50Ms)}, p95 ${ms(summary.p95Ms)}, p99 ${ms(summary.p99Ms)}, max ${ms(summary.maxMs)}`
  ]
  return lines.join("\n") + "\n"
}
