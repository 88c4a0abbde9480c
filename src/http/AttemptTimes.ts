/**
 * How long each attempt of a retried request took, its backoff waits left out: the summary's
 * latency percentiles are per attempt. Kept beside the record, not in it, so a record's JSON
 * stays as it is and a request that succeeds first time (nearly all) carries nothing.
 *
 * @module
 */
import type { FetchRecord } from "../domain/FetchRecord.js"

const times = new WeakMap<FetchRecord, ReadonlyArray<number>>()

/** Notes the attempts' durations (ms) of a retried request's record. */
export const setAttemptTimes = (record: FetchRecord, ms: ReadonlyArray<number>): void => {
  times.set(record, ms)
}

/** The durations of each attempt, or `undefined` when there was one (its time is `record.ms`). */
export const attemptTimesOf = (record: FetchRecord): ReadonlyArray<number> | undefined => times.get(record)
