/**
 * A PostgreSQL database of its own for one cluster test file: created before, dropped after
 * (`@effect/cluster`'s advisory-lock ids are not namespaced per cluster, so two clusters must
 * never share a database). PostgreSQL is expected on 127.0.0.1:5432 (trust auth, as on CI).
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"
import { spawnSync } from "node:child_process"

const admin = "postgres://postgres@127.0.0.1:5432/postgres"

/** Whether PostgreSQL answers on 127.0.0.1, waiting up to `seconds` (pg_isready -t). */
export const postgresReady = (seconds = 15): boolean => {
  const run = spawnSync("pg_isready", ["-h", "127.0.0.1", "-t", String(seconds)], { stdio: "ignore" })
  return run.status === 0
}

/** `postgresReady()`, saying why `file`'s tests are skipped when it is not. */
export const postgresFor = (file: string): boolean => {
  const ready = postgresReady()
  if (!ready) process.stderr.write(`${file}: skipped, PostgreSQL does not answer on 127.0.0.1:5432\n`)
  return ready
}

const onAdmin = (statement: string) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* PgClient.PgClient
      yield* sql.unsafe(statement)
    }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(admin) })), Effect.scoped)
  )

/** Creates a fresh database named `name`, returning its URL. */
export const createDatabase = async (name: string): Promise<string> => {
  await onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await onAdmin(`CREATE DATABASE ${name}`)
  return `postgres://postgres@127.0.0.1:5432/${name}`
}

/** Drops the database, even with connections still open. */
export const dropDatabase = (name: string): Promise<void> => onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)

/** One query on the test database. */
export const query = <A extends object>(url: string, statement: string) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* PgClient.PgClient
      return yield* sql.unsafe<A>(statement)
    }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })), Effect.scoped)
  )
