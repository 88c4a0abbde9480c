/**
 * The layers a cluster process runs on: PostgreSQL (the cluster's own tables and volley's), and
 * `@effect/cluster`'s sharding over sockets, either as a runner (a worker) or as a client only
 * (a submitting or reading command).
 *
 * Every process of a cluster must use the same timings. They follow one setting,
 * `VOLLEY_CLUSTER_LOCK_EXPIRY` (35s by default, as `@effect/cluster`): how long a dead worker's
 * host buckets stay locked before another worker takes them over. Tests set it short.
 *
 * @module
 */
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { parseDuration } from "../domain/DurationText.js"
import { clusterError } from "./ClusterError.js"
import { LockExpiry } from "./Placement.js"

/** A `host:port` a worker listens on or is reached at. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/** The lock expiry the environment asks for, or the default 35 s. */
export const lockExpiry = (env: Readonly<Record<string, string | undefined>>): Duration.Duration => {
  const text = env["VOLLEY_CLUSTER_LOCK_EXPIRY"]
  if (text === undefined || text === "") return Duration.seconds(35)
  return Either.getOrElse(parseDuration(text), () => Duration.seconds(35))
}

const atMost = (limit: Duration.Duration, value: Duration.Duration) => Duration.min(limit, value)

/**
 * The timings every process shares, derived from the lock expiry. Messages are polled every
 * second (the default 10 s would make a dead worker's batches wait that long after failover).
 * A lock refresh may take as long as its interval, and one that takes longer makes the worker drop
 * every shard and have all its batches delivered again: the interval is a third of the expiry, the
 * most `@effect/cluster` allows (at a fifth, 1 s at 5s, a loaded machine missed it again and again;
 * PERFORMANCE.md, "Cluster mode, placement").
 */
export const shardingTimings = (expiry: Duration.Duration): Partial<ShardingConfig.ShardingConfig["Type"]> => {
  const ms = Duration.toMillis(expiry)
  return {
    shardLockExpiration: expiry,
    shardLockRefreshInterval: atMost(Duration.seconds(10), Duration.millis(Math.max(250, Math.floor(ms / 3)))),
    // A runner joining (or leaving) is seen within a second: one small query a second per process.
    refreshAssignmentsInterval: atMost(Duration.seconds(1), Duration.millis(Math.max(250, ms / 10))),
    runnerHealthCheckInterval: atMost(Duration.minutes(1), Duration.millis(Math.max(500, ms / 5))),
    entityMessagePollInterval: atMost(Duration.seconds(1), Duration.millis(Math.max(250, ms / 5))),
    entityReplyPollInterval: Duration.millis(200),
    entityMailboxCapacity: "unbounded",
    entityTerminationTimeout: Duration.seconds(15)
  }
}

/** The PostgreSQL client of a cluster URL (`postgres://user@host:port/database`). */
export const pgLayer = (url: string, maxConnections?: number) =>
  PgClient.layer({
    url: Redacted.make(url),
    applicationName: "volley",
    ...(maxConnections === undefined ? {} : { maxConnections })
  }).pipe(
    Layer.mapError(clusterError(`cannot use the cluster database ${safeUrl(url)}`))
  )

/** The URL without its password, for messages. */
export const safeUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return url
  }
}

/**
 * The cluster's own tables are made by `@effect/cluster` as its storage starts, and two processes
 * starting at once on a fresh database race in PostgreSQL's catalog (measured: one of three
 * workers started together died with "Failed to execute statement"). Each process builds its
 * sharding while holding one session advisory lock, so the first makes the tables and the others
 * find them.
 */
const clusterStartLock = 7_366_016_002

const oneAtATime = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  Layer.scopedContext(Effect.gen(function*() {
    const outer = yield* Effect.scope
    const sql = yield* SqlClient.SqlClient
    return yield* Effect.scoped(Effect.gen(function*() {
      // A connection of its own, given back once the sharding is built (the lock freed first).
      const connection = yield* sql.reserve
      yield* connection.executeRaw(`SELECT pg_advisory_lock(${clusterStartLock})`, [])
      return yield* Layer.buildWithScope(layer, outer).pipe(
        Effect.ensuring(Effect.ignore(connection.executeRaw(`SELECT pg_advisory_unlock(${clusterStartLock})`, [])))
      )
    }))
  }))

/** Sharding for a process that only sends and reads (it owns no bucket). */
export const clientLayer = (url: string, env: Readonly<Record<string, string | undefined>>) => {
  const expiry = lockExpiry(env)
  return oneAtATime(NodeClusterSocket.layer({
    clientOnly: true,
    storage: "sql",
    shardingConfig: { ...shardingTimings(expiry), runnerAddress: Option.none() }
  })).pipe(
    Layer.mapError(clusterError("cannot join the cluster")),
    Layer.merge(Layer.succeed(LockExpiry, expiry)),
    Layer.provideMerge(pgLayer(url))
  )
}

/** Sharding for a worker: it listens on `listen`, and the others reach it at `advertise`. */
export const runnerLayer = (
  url: string,
  env: Readonly<Record<string, string | undefined>>,
  addresses: { readonly listen: HostPort; readonly advertise: HostPort }
) => {
  const expiry = lockExpiry(env)
  return oneAtATime(NodeClusterSocket.layer({
    storage: "sql",
    shardingConfig: {
      ...shardingTimings(expiry),
      runnerAddress: Option.some(RunnerAddress.make(addresses.advertise.host, addresses.advertise.port)),
      runnerListenAddress: Option.some(RunnerAddress.make(addresses.listen.host, addresses.listen.port))
    }
  })).pipe(
    Layer.mapError(clusterError(`cannot start a worker on ${addresses.listen.host}:${addresses.listen.port}`)),
    Layer.merge(Layer.succeed(LockExpiry, expiry)),
    Layer.provideMerge(pgLayer(url))
  )
}
