/**
 * Group commit of records: every record waits until it is stored (a batch is not answered
 * before its records are), but the records finished at about the same time go in one INSERT.
 * One statement per record kept a 10-connection pool so busy at 50 in flight that
 * `@effect/cluster`'s own shard-lock refreshes timed out, and the interrupted waiters then
 * overflowed the stack in `@effect/sql-pg`'s pool release (see the report of issue 16).
 *
 * No background fiber: the first writer to find no flush running flushes, for everyone, until
 * nothing is pending. Its flush is uninterruptible, so a writer interrupted mid-flush cannot
 * leave the others waiting for a flush that no one runs.
 *
 * @module
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Schedule from "effect/Schedule"
import type { ClusterError } from "./ClusterError.js"
import { insertResults, type ResultRow } from "./Store.js"

interface Pending {
  readonly run: string
  readonly result: ResultRow
  readonly stored: Deferred.Deferred<void, ClusterError>
}

export interface ResultWriter {
  /** Stores the record (once per `(run, index)`); succeeds once it is in the table. */
  readonly store: (run: string, result: ResultRow) => Effect.Effect<void, ClusterError, SqlClient.SqlClient>
}

// A database that is briefly unreachable should not cost a batch: a few tries, then the records
// fail and so does their batch (the cluster delivers it again).
const retry = Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(5)))

export const makeResultWriter = (maxRows = 500): ResultWriter => {
  const pending: Array<Pending> = []
  let flushing = false
  const flush: Effect.Effect<void, never, SqlClient.SqlClient> = Effect.gen(function*() {
    while (pending.length > 0) {
      const rows = pending.splice(0, maxRows)
      const exit = yield* Effect.exit(Effect.retry(insertResults(rows), retry))
      for (const row of rows) Deferred.unsafeDone(row.stored, Exit.isSuccess(exit) ? Exit.void : exit)
    }
  }).pipe(Effect.ensuring(Effect.sync(() => flushing = false)), Effect.uninterruptible)
  return {
    store: (run, result) =>
      Effect.suspend(() => {
        const stored = Deferred.unsafeMake<void, ClusterError>(FiberId.none)
        pending.push({ run, result, stored })
        if (flushing) return Deferred.await(stored)
        flushing = true
        return Effect.zipRight(flush, Deferred.await(stored))
      })
  }
}
