/**
 * What a run did, gathered as records complete: successes, failures by tag, latencies, timing.
 * Feeds the progress bar and the summary.
 *
 * @module
 */
import type { FetchRecord } from "../domain/FetchRecord.js"
import { attemptTimesOf } from "../http/AttemptTimes.js"
import { makeLatencyHistogram } from "./LatencyHistogram.js"

/** A snapshot of a run's numbers; the latency percentiles are per attempt, backoff waits left out. */
export interface RunSummary {
  readonly total: number
  readonly ok: number
  readonly failed: number
  readonly failedByTag: Readonly<Record<string, number>>
  readonly attempts: number
  readonly wallMs: number
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p95Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly batches: number | undefined
  readonly interrupted: boolean
}

/** A mutable accumulator; JavaScript runs one fiber at a time, so plain updates are safe. */
export interface RunStats {
  readonly add: (record: FetchRecord) => void
  readonly done: () => number
  readonly failed: () => number
  readonly summary: (nowMs: number, extra?: { batches?: number | undefined; interrupted?: boolean }) => RunSummary
}

/** Starts counting at `startMs`. */
export const makeRunStats = (startMs: number): RunStats => {
  const latency = makeLatencyHistogram()
  const failedByTag: Record<string, number> = {}
  let ok = 0
  let failed = 0
  let attempts = 0
  return {
    add: (record) => {
      attempts += record.attempts
      if (record.ok) {
        ok++
      } else {
        failed++
        failedByTag[record.error._tag] = (failedByTag[record.error._tag] ?? 0) + 1
      }
      // Latency is per attempt: a retried request adds each attempt, not the waits between them.
      const times = attemptTimesOf(record)
      if (times !== undefined) { for (const ms of times) latency.add(ms) }
      else if (record.attempts > 0) latency.add(record.ms)
    },
    done: () => ok + failed,
    failed: () => failed,
    summary: (nowMs, extra = {}) => {
      const wallMs = Math.max(0, nowMs - startMs)
      const total = ok + failed
      return {
        total,
        ok,
        failed,
        failedByTag: { ...failedByTag },
        attempts,
        wallMs,
        requestsPerSecond: wallMs > 0 ? (total * 1000) / wallMs : 0,
        p50Ms: latency.quantile(0.5),
        p95Ms: latency.quantile(0.95),
        p99Ms: latency.quantile(0.99),
        maxMs: latency.max(),
        batches: extra.batches,
        interrupted: extra.interrupted ?? false
      }
    }
  }
}
