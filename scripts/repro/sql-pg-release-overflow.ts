/**
 * Minimal reproduction (issue 16 report): @effect/sql-pg 0.53.0 overflows the stack when many
 * queries waiting for a pool connection are interrupted. Each interrupted waiter's pool.connect
 * callback releases the client it is handed at once, synchronously, and pg-pool hands it to the
 * next waiter in the same call stack (`_release` → `_pulseQueue` → `_acquireClient` →
 * PgClient's callback → `release` → …): with tens of thousands of interrupted waiters the
 * process dies with `RangeError: Maximum call stack size exceeded` thrown from pg's query.js.
 *
 *   node --import tsx scripts/repro/sql-pg-release-overflow.ts   # PostgreSQL on 127.0.0.1:5432
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted } from "effect"

const program = Effect.gen(function*() {
  const sql = yield* PgClient.PgClient
  // One connection, held for 300 ms, while 50,000 queries queue for it and time out after 50 ms.
  const holder = Effect.fork(sql`SELECT pg_sleep(0.3)`)
  yield* holder
  const waiters = Array.from({ length: 50_000 }, () => Effect.timeout(sql`SELECT 1`, "50 millis").pipe(Effect.ignore))
  yield* Effect.all(waiters, { concurrency: "unbounded", discard: true })
  yield* Effect.sleep("1 second")
  yield* Effect.log("survived: no stack overflow")
}).pipe(
  Effect.provide(
    PgClient.layer({ url: Redacted.make("postgres://postgres@127.0.0.1:5432/postgres"), maxConnections: 1 })
  ),
  Effect.scoped
)

Effect.runPromise(program)
