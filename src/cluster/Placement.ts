/**
 * Where a run's hosts go: each new host of a run is given a bucket owned by the runner that has
 * the fewest of the run's inputs so far, rather than `hash(host) mod buckets`.
 *
 * The cluster maps a bucket's entity to a shard by hash and balances shard *counts* over the
 * runners, not load, so a hash spreads a run's few busy hosts over the runners unevenly (three
 * runners held 37 / 31 / 31% of a 64-host run; PERFORMANCE.md). Ownership is untouched: a host
 * still has exactly one bucket per run, and a bucket one owner at a time, so `--per-host` and the
 * learned pauses (a run's own, per worker) stay exact. The mapping is stored, `(run, host) →
 * bucket`, inserted `ON CONFLICT DO NOTHING` and read back: a run submitted again (a workflow
 * step's activity after a crash) sends every batch under the same key with the same inputs.
 * When runners join or leave, shards move with their buckets: only the balance degrades.
 *
 * @module
 */
import * as EntityId from "@effect/cluster/EntityId"
import { Runner } from "@effect/cluster/Runner"
import type { RunnerAddress } from "@effect/cluster/RunnerAddress"
import * as ShardId from "@effect/cluster/ShardId"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashRing from "effect/HashRing"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { type ClusterError, clusterError } from "./ClusterError.js"
import { bucketOfHost, hashHost, HostBucket } from "./Protocol.js"

/** The cluster's lock expiry as the process's layer was built with it: which runners count as alive. */
export class LockExpiry extends Context.Tag("volley/cluster/LockExpiry")<LockExpiry, Duration.Duration>() {}

const decodeRunner = Schema.decodeUnknownEither(Schema.parseJson(Runner))

/**
 * The runners' shards, per shard group (index `id - 1`), computed as every runner computes its
 * own (`@effect/cluster`'s `Sharding`): a hash ring of the healthy runners with a fresh heartbeat,
 * over its default shards per group (volley never changes it). Empty when no runner is known or
 * the table cannot be read.
 */
export const shardAssignments: Effect.Effect<
  ReadonlyMap<string, ReadonlyArray<RunnerAddress>>,
  never,
  SqlClient.SqlClient
> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const expiry = Option.getOrElse(yield* Effect.serviceOption(LockExpiry), () => Duration.seconds(35))
  const rows = yield* sql<{ runner: string }>`SELECT runner FROM cluster_runners
    WHERE healthy AND last_heartbeat > NOW() - ${Duration.toMillis(expiry)} * interval '1 millisecond'`
  const rings = new Map<string, HashRing.HashRing<RunnerAddress>>()
  for (const row of rows) {
    const runner = decodeRunner(row.runner)
    if (Either.isLeft(runner)) continue
    for (const group of runner.right.groups) {
      let ring = rings.get(group)
      if (ring === undefined) rings.set(group, ring = HashRing.make())
      HashRing.add(ring, runner.right.address, { weight: runner.right.weight })
    }
  }
  const assignments = new Map<string, ReadonlyArray<RunnerAddress>>()
  for (const [group, ring] of rings) {
    const shards = HashRing.getShards(ring, ShardingConfig.defaults.shardsPerGroup)
    if (shards !== undefined) assignments.set(group, shards)
  }
  return assignments
}).pipe(
  // Only for balance and readiness: unreadable means unknown.
  Effect.orElseSucceed(() => new Map())
)

/**
 * The runner that owns each bucket now (its address), from `shardAssignments`; `undefined` when
 * that is not known: the caller falls back to the hash.
 */
export const bucketOwners = (
  buckets: number
): Effect.Effect<ReadonlyArray<string> | undefined, never, Sharding.Sharding | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sharding = yield* Sharding.Sharding
    const assignments = yield* shardAssignments
    const owners: Array<string> = []
    for (let bucket = 0; bucket < buckets; bucket++) {
      const entityId = EntityId.make(String(bucket))
      const shard = sharding.getShardId(entityId, HostBucket.getShardGroup(entityId))
      const owner = assignments.get(shard.group)?.[shard.id - 1]
      if (owner === undefined) return undefined
      owners.push(owner.toString())
    }
    return owners
  })

/**
 * Whether this runner holds every host-bucket shard the ring gives it (and is in the ring): until
 * then, batches sent to those shards wait or go to the runner still holding them. A worker says
 * it is ready once this holds, not as soon as it has joined.
 */
export const holdsOwnShards = (
  self: RunnerAddress
): Effect.Effect<boolean, never, Sharding.Sharding | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sharding = yield* Sharding.Sharding
    const group = HostBucket.getShardGroup(EntityId.make("0"))
    const shards = (yield* shardAssignments).get(group)
    if (shards === undefined) return false
    const me = self.toString()
    let known = false
    for (let i = 0; i < shards.length; i++) {
      if (shards[i]!.toString() !== me) continue
      known = true
      if (!sharding.hasShardId(ShardId.make(group, i + 1))) return false
    }
    return known
  })

/** A run's placement so far: its hosts' buckets and how many of its inputs each host had. */
export interface RunPlacement {
  readonly hostBucket: Map<string, number>
  readonly hostInputs: Map<string, number>
}

export const emptyPlacement = (): RunPlacement => ({ hostBucket: new Map(), hostInputs: new Map() })

/**
 * Buckets for hosts new to the run, the busiest first: each to the runner with the fewest of the
 * run's inputs so far (those of the hosts already placed, counted where their buckets are now),
 * and there to that runner's bucket with the fewest of the run's hosts (among equals, one chosen
 * by the host's hash, so concurrent runs do not all start on the same buckets). Without owners,
 * `hash(host) mod buckets`. Pure: the caller stores the result.
 */
export const chooseBuckets = (
  placement: RunPlacement,
  newHosts: ReadonlyArray<readonly [host: string, inputs: number]>,
  owners: ReadonlyArray<string> | undefined,
  buckets: number
): Array<readonly [host: string, bucket: number]> => {
  if (owners === undefined || owners.length !== buckets) {
    return newHosts.map(([host]) => [host, bucketOfHost(host, buckets)] as const)
  }
  const bucketsOf = new Map<string, Array<number>>()
  owners.forEach((owner, bucket) => {
    let list = bucketsOf.get(owner)
    if (list === undefined) bucketsOf.set(owner, list = [])
    list.push(bucket)
  })
  const load = new Map<string, number>([...bucketsOf.keys()].map((owner) => [owner, 0]))
  const hostsIn = new Map<number, number>()
  for (const [host, bucket] of placement.hostBucket) {
    const owner = owners[bucket]!
    load.set(owner, load.get(owner)! + (placement.hostInputs.get(host) ?? 0))
    hostsIn.set(bucket, (hostsIn.get(bucket) ?? 0) + 1)
  }
  // Sorted once by name so that ties go the same way in every process.
  const runners = [...load.keys()].sort()
  const chosen: Array<readonly [string, number]> = []
  const busiestFirst = [...newHosts].sort((a, b) => b[1] - a[1])
  for (const [host, inputs] of busiestFirst) {
    let runner = runners[0]!
    for (const candidate of runners) if (load.get(candidate)! < load.get(runner)!) runner = candidate
    const own = bucketsOf.get(runner)!
    let fewest = Infinity
    for (const bucket of own) fewest = Math.min(fewest, hostsIn.get(bucket) ?? 0)
    const emptiest = own.filter((bucket) => (hostsIn.get(bucket) ?? 0) === fewest)
    const bucket = emptiest[hashHost(host) % emptiest.length]!
    chosen.push([host, bucket])
    load.set(runner, load.get(runner)! + inputs)
    hostsIn.set(bucket, fewest + 1)
  }
  return chosen
}

/**
 * Places the hosts of one chunk (`host → inputs in the chunk`, in order of first appearance):
 * hosts this process placed before keep their bucket; the others are read from the table (placed
 * by an earlier submission of the run), and those still new are chosen and stored. Returns the
 * bucket of every host of the chunk; `placement` is updated.
 */
export const placeChunk = (
  run: string,
  placement: RunPlacement,
  chunkHosts: ReadonlyMap<string, number>,
  buckets: number
): Effect.Effect<ReadonlyMap<string, number>, ClusterError, Sharding.Sharding | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const unknown = [...chunkHosts.keys()].filter((host) => !placement.hostBucket.has(host))
    if (unknown.length > 0) {
      for (const [host, bucket] of yield* storedPlacement(run, unknown)) placement.hostBucket.set(host, bucket)
      const fresh = unknown.filter((host) => !placement.hostBucket.has(host))
      if (fresh.length > 0) {
        const owners = yield* bucketOwners(buckets)
        const chosen = chooseBuckets(
          placement,
          fresh.map((host) => [host, chunkHosts.get(host)!] as const),
          owners,
          buckets
        )
        yield* storePlacement(run, chosen)
        // Read back: a submission of the same run at the same time may have stored its own choice first.
        const stored = yield* storedPlacement(run, fresh)
        for (const [host, bucket] of chosen) placement.hostBucket.set(host, stored.get(host) ?? bucket)
      }
    }
    const result = new Map<string, number>()
    for (const [host, inputs] of chunkHosts) {
      placement.hostInputs.set(host, (placement.hostInputs.get(host) ?? 0) + inputs)
      // Every host of the chunk was placed above (kept, read back or chosen).
      result.set(host, placement.hostBucket.get(host)!)
    }
    return result
  })

// Rows per statement: three parameters a row, well under PostgreSQL's 65,535.
const rowsPerStatement = 5_000

const slices = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += rowsPerStatement) out.push(items.slice(i, i + rowsPerStatement))
  return out
}

/** The stored buckets of some hosts of a run. */
export const storedPlacement = (
  run: string,
  hosts: ReadonlyArray<string>
): Effect.Effect<Map<string, number>, ClusterError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const found = new Map<string, number>()
    for (const part of slices(hosts)) {
      const rows = yield* sql<{ host: string; bucket: number }>`SELECT host, bucket FROM volley_hosts
        WHERE run = ${run} AND host = ANY(${part}::text[])`
      for (const row of rows) found.set(row.host, Number(row.bucket))
    }
    return found
  }).pipe(Effect.mapError(clusterError(`reading the host buckets of run ${run}`)))

/** Stores hosts' buckets; a host already placed in the run keeps its bucket. */
export const storePlacement = (
  run: string,
  chosen: ReadonlyArray<readonly [host: string, bucket: number]>
): Effect.Effect<void, ClusterError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const part of slices(chosen)) {
      yield* sql`INSERT INTO volley_hosts ${
        sql.insert(part.map(([host, bucket]) => ({ run, host, bucket })))
      } ON CONFLICT (run, host) DO NOTHING`
    }
  }).pipe(Effect.mapError(clusterError(`storing the host buckets of run ${run}`)))
