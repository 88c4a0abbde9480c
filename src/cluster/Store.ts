/**
 * volley's own tables beside the cluster's: runs (their settings and size) and results (one row
 * per input index, the record as written). The results table is what makes results exactly
 * once: its primary key is `(run, idx)` and every insert is `ON CONFLICT DO NOTHING`, so a batch
 * delivered twice (at-least-once delivery after a worker died) stores each record once.
 *
 * @module
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { type ClusterError, clusterError } from "./ClusterError.js"

/** A run as listed. */
export interface RunRow {
  readonly id: string
  readonly createdAt: string
  readonly buckets: number
  /** The number of inputs, once the whole input has been submitted. */
  readonly total: number | undefined
  readonly stored: number
  readonly failed: number
  readonly settings: string
  /** Set by `volley runs cancel`: workers skip (and ack) the run's batches still to come. */
  readonly cancelled: boolean
}

/** One stored record. */
export interface ResultRow {
  readonly index: number
  readonly ok: boolean
  readonly record: string
}

// A fixed key: processes starting together create the tables one after another (concurrent
// CREATE TABLE IF NOT EXISTS can fail on PostgreSQL's catalog).
const schemaLockKey = 7_366_016_001

/** Creates volley's tables when missing (every command calls it first: the schema is made on first use). */
export const ensureSchema: Effect.Effect<void, ClusterError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.withTransaction(Effect.gen(function*() {
    yield* sql`SELECT pg_advisory_xact_lock(${schemaLockKey})`
    yield* sql`CREATE TABLE IF NOT EXISTS volley_runs (
      id text PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      buckets integer NOT NULL,
      settings text NOT NULL,
      total bigint
    )`
    // Added after the first release of the table: a database made before has it added here.
    yield* sql`ALTER TABLE volley_runs ADD COLUMN IF NOT EXISTS cancelled_at timestamptz`
    yield* sql`CREATE TABLE IF NOT EXISTS volley_results (
      run text NOT NULL,
      idx bigint NOT NULL,
      ok boolean NOT NULL,
      record text NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run, idx)
    )`
    // Each host's bucket in a run (Placement.ts): stored so a run submitted again places it the same.
    yield* sql`CREATE TABLE IF NOT EXISTS volley_hosts (
      run text NOT NULL,
      host text NOT NULL,
      bucket integer NOT NULL,
      PRIMARY KEY (run, host)
    )`
    // Requests that are not safe to repeat, claimed before they are sent (see claimSend).
    yield* sql`CREATE TABLE IF NOT EXISTS volley_sent (
      run text NOT NULL,
      idx bigint NOT NULL,
      PRIMARY KEY (run, idx)
    )`
  }))
}).pipe(Effect.mapError(clusterError("creating volley's tables")))

/** Records a new run (before any of its batches is sent); with `again`, a run already recorded stays as it is. */
export const insertRun = (
  run: { readonly id: string; readonly buckets: number; readonly settings: string },
  again = false
) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      again
        ? sql`INSERT INTO volley_runs (id, buckets, settings) VALUES (${run.id}, ${run.buckets}, ${run.settings})
          ON CONFLICT (id) DO NOTHING`
        : sql`INSERT INTO volley_runs (id, buckets, settings) VALUES (${run.id}, ${run.buckets}, ${run.settings})`
  ).pipe(
    Effect.asVoid,
    Effect.mapError(clusterError(`recording run ${run.id}`))
  )

/** The run's size, once all of its input has been sent. */
export const setTotal = (run: string, total: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE volley_runs SET total = ${total} WHERE id = ${run}`).pipe(
    Effect.asVoid,
    Effect.mapError(clusterError(`recording the size of run ${run}`))
  )

const toRun = (row: Readonly<Record<string, unknown>>): RunRow => ({
  id: String(row["id"]),
  createdAt: row["created_at"] instanceof Date ? row["created_at"].toISOString() : String(row["created_at"]),
  buckets: Number(row["buckets"]),
  total: row["total"] === null || row["total"] === undefined ? undefined : Number(row["total"]),
  stored: Number(row["stored"] ?? 0),
  failed: Number(row["failed"] ?? 0),
  settings: String(row["settings"]),
  cancelled: row["cancelled_at"] !== null && row["cancelled_at"] !== undefined
})

/** One run with its progress, or undefined when there is no such run. */
export const findRun = (run: string): Effect.Effect<RunRow | undefined, ClusterError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<Record<string, unknown>>`SELECT r.id, r.created_at, r.buckets, r.settings, r.total, r.cancelled_at,
        (SELECT count(*) FROM volley_results s WHERE s.run = r.id) AS stored,
        (SELECT count(*) FROM volley_results s WHERE s.run = r.id AND NOT s.ok) AS failed
      FROM volley_runs r WHERE r.id = ${run}`
  ).pipe(
    Effect.map((rows) => rows[0] === undefined ? undefined : toRun(rows[0])),
    Effect.mapError(clusterError(`reading run ${run}`))
  )

/** Every run, newest first, with its progress. */
export const listRuns: Effect.Effect<ReadonlyArray<RunRow>, ClusterError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql<Record<string, unknown>>`SELECT r.id, r.created_at, r.buckets, r.settings, r.total, r.cancelled_at,
        count(s.idx) AS stored, count(s.idx) FILTER (WHERE NOT s.ok) AS failed
      FROM volley_runs r LEFT JOIN volley_results s ON s.run = r.id
      GROUP BY r.id ORDER BY r.created_at DESC, r.id`
).pipe(Effect.map((rows) => rows.map(toRun)), Effect.mapError(clusterError("listing runs")))

/** Marks a run cancelled (once: a second cancel keeps the first time); false when there is no such run. */
export const cancelRun = (run: string): Effect.Effect<boolean, ClusterError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`UPDATE volley_runs SET cancelled_at = coalesce(cancelled_at, now()) WHERE id = ${run} RETURNING id`
  ).pipe(
    Effect.map((rows) => rows.length > 0),
    Effect.mapError(clusterError(`cancelling run ${run}`))
  )

/** A run's size (once known) and whether it was cancelled: the cheap read a poll makes. */
export const runState = (
  run: string
): Effect.Effect<
  { readonly total: number | undefined; readonly cancelled: boolean },
  ClusterError,
  SqlClient.SqlClient
> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ total: unknown; cancelled: boolean }>`SELECT total, cancelled_at IS NOT NULL AS cancelled
        FROM volley_runs WHERE id = ${run}`
  ).pipe(
    Effect.map((rows) => ({
      total: rows[0]?.total === null || rows[0]?.total === undefined ? undefined : Number(rows[0].total),
      cancelled: rows[0]?.cancelled === true
    })),
    Effect.mapError(clusterError(`reading run ${run}`))
  )

/** The settings text of a run (a worker reads it once per run). */
export const runSettings = (run: string): Effect.Effect<string, ClusterError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql<{ settings: string }>`SELECT settings FROM volley_runs WHERE id = ${run}`
  )
    .pipe(
      Effect.mapError(clusterError(`reading the settings of run ${run}`)),
      Effect.flatMap((rows) =>
        rows[0] === undefined
          ? Effect.fail(clusterError(`reading the settings of run ${run}`)("no such run"))
          : Effect.succeed(rows[0].settings)
      )
    )

/** Which of `indices` already have a stored record. */
export const storedIndices = (
  run: string,
  indices: ReadonlyArray<number>
): Effect.Effect<ReadonlySet<number>, ClusterError, SqlClient.SqlClient> =>
  indices.length === 0 ?
    Effect.succeed(new Set()) :
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ idx: string | number }>`SELECT idx FROM volley_results WHERE run = ${run} AND idx = ANY(${
        indices.map(String)
      }::bigint[])`).pipe(
        Effect.map((rows) =>
          new Set(rows.map((row) =>
            Number(row.idx)
          ))
        ),
        Effect.mapError(clusterError(`reading the stored records of run ${run}`))
      )

/** Stores one record; a record already stored for this index stays as it is. */
export const insertResult = (run: string, result: ResultRow) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO volley_results (run, idx, ok, record)
      VALUES (${run}, ${result.index}, ${result.ok}, ${result.record})
      ON CONFLICT (run, idx) DO NOTHING`).pipe(
      Effect.asVoid,
      Effect.mapError(clusterError(`storing record ${result.index} of run ${run}`))
    )

/** Stored records from index `from` on, in index order, at most `limit`. */
export const resultsFrom = (
  run: string,
  from: number,
  limit: number
): Effect.Effect<ReadonlyArray<ResultRow>, ClusterError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ idx: string | number; ok: boolean; record: string }>`SELECT idx, ok, record FROM volley_results
      WHERE run = ${run} AND idx >= ${from} ORDER BY idx LIMIT ${limit}`
  ).pipe(
    Effect.map((rows) => rows.map((row) => ({ index: Number(row.idx), ok: row.ok, record: row.record }))),
    Effect.mapError(clusterError(`reading the records of run ${run}`))
  )

/** A worker as `volley cluster status` shows it. */
export interface RunnerRow {
  readonly address: string
  readonly healthy: boolean
  readonly lastSeen: string
}

/** The cluster's workers, from `@effect/cluster`'s own table (none before a worker has started). */
export const clusterRunners: Effect.Effect<ReadonlyArray<RunnerRow>, never, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql<{ address: string; healthy: boolean; last_heartbeat: unknown }>`
      SELECT address, healthy, last_heartbeat FROM cluster_runners ORDER BY address`
).pipe(
  Effect.map((rows) =>
    rows.map((row) => ({
      address: row.address,
      healthy: row.healthy,
      lastSeen: row.last_heartbeat instanceof Date ? row.last_heartbeat.toISOString() : String(row.last_heartbeat)
    }))
  ),
  Effect.orElseSucceed(() => [])
)

/**
 * Claims the sending of an input whose method is not safe to repeat: true the first time, false
 * when an earlier delivery of its batch claimed it (a worker that died may have sent it).
 */
export const claimSend = (run: string, index: number): Effect.Effect<boolean, ClusterError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO volley_sent (run, idx) VALUES (${run}, ${index})
      ON CONFLICT (run, idx) DO NOTHING RETURNING idx`).pipe(
      Effect.map((rows) => rows.length > 0),
      Effect.mapError(clusterError(`claiming record ${index} of run ${run}`))
    )

/** Stores many records in one statement; records already stored for their index stay as they are. */
export const insertResults = (rows: ReadonlyArray<{ readonly run: string; readonly result: ResultRow }>) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql`INSERT INTO volley_results ${
        sql.insert(rows.map(({ result, run }) => ({ run, idx: result.index, ok: result.ok, record: result.record })))
      } ON CONFLICT (run, idx) DO NOTHING`
  ).pipe(
    Effect.asVoid,
    Effect.mapError(clusterError(`storing ${rows.length} records`))
  )
