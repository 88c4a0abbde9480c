/**
 * Load-aware placement of a run's hosts on host buckets (src/cluster/Placement.ts).
 *
 * - `chooseBuckets` spreads hosts over the runners by their inputs, the busiest first, one bucket
 *   per host; hosts placed before count where their buckets are now; without owners, the hash;
 * - on PostgreSQL, with runners registered in `cluster_runners` (rows only: nothing connects to
 *   them), `placeChunk` gives each runner a third of the inputs, every host exactly one bucket,
 *   and a run submitted again (a fresh process, the runners changed since) gets the stored
 *   mapping back; with no runner known, `hash(host) mod buckets`;
 * - a process that holds none of the shards the ring gives it is not settled (a worker says it is
 *   ready once it is; the held case needs real runners: the bench's logs show every batch of a
 *   run started right after "ready" on the owner computed here).
 *
 * The file has a database of its own, created and dropped here.
 */
import { Runner } from "@effect/cluster/Runner"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as SqlClient from "@effect/sql/SqlClient"
import type { Layer } from "effect"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientLayer } from "../../src/cluster/ClusterLayer.js"
import {
  bucketOwners,
  chooseBuckets,
  emptyPlacement,
  holdsOwnShards,
  placeChunk,
  type RunPlacement
} from "../../src/cluster/Placement.js"
import { bucketOf } from "../../src/cluster/Protocol.js"
import { ensureSchema } from "../../src/cluster/Store.js"
import { createDatabase, dropDatabase, postgresFor } from "../support/ClusterDatabase.js"
import { clusterEnv } from "../support/ClusterProcess.js"

const hosts = (count: number) => Array.from({ length: count }, (_, i) => `host-${i}.test`)

/** Each runner's inputs under a placement, given each bucket's owner. */
const loadOf = (
  placement: ReadonlyMap<string, number>,
  inputs: ReadonlyMap<string, number>,
  owners: ReadonlyArray<string>
) => {
  const load = new Map<string, number>()
  for (const [host, bucket] of placement) {
    load.set(owners[bucket]!, (load.get(owners[bucket]!) ?? 0) + inputs.get(host)!)
  }
  return load
}

describe("chooseBuckets", () => {
  // 64 buckets owned in turn by three runners, as a ring would (any owner pattern works).
  const owners = Array.from({ length: 64 }, (_, bucket) => ["a", "b", "c"][(bucket * 7) % 3]!)

  it("spreads equal hosts evenly over the runners, each host on its own bucket", () => {
    const placement: RunPlacement = emptyPlacement()
    const chosen = chooseBuckets(placement, hosts(30).map((host) => [host, 100] as const), owners, 64)
    expect(chosen.map(([host]) => host).sort()).toEqual(hosts(30).sort())
    const buckets = new Map(chosen)
    expect(new Set(buckets.values()).size).toBe(30)
    const load = loadOf(buckets, new Map(hosts(30).map((host) => [host, 100])), owners)
    expect([...load.values()]).toEqual([1000, 1000, 1000])
  })

  it("places the busiest hosts first, so uneven hosts still even out", () => {
    const inputs = new Map(hosts(12).map((host, i) => [host, (i + 1) * 10] as const))
    const chosen = new Map(chooseBuckets(emptyPlacement(), [...inputs], owners, 64))
    const load = [...loadOf(chosen, inputs, owners).values()]
    // 780 inputs: a third is 260; greedy largest-first stays within the smallest host of it.
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(10)
  })

  it("counts the hosts placed before where their buckets are now", () => {
    const bucketOfA = owners.indexOf("a")
    const placement: RunPlacement = {
      hostBucket: new Map([["big.test", bucketOfA]]),
      hostInputs: new Map([["big.test", 1000]])
    }
    const chosen = chooseBuckets(placement, [["x.test", 10], ["y.test", 10]], owners, 64)
    for (const [, bucket] of chosen) expect(owners[bucket]).not.toBe("a")
  })

  it("shares buckets only once a runner has no empty one left", () => {
    const two = Array.from({ length: 4 }, (_, bucket) => (bucket < 2 ? "a" : "b"))
    const chosen = chooseBuckets(emptyPlacement(), hosts(8).map((host) => [host, 1] as const), two, 4)
    const perBucket = new Map<number, number>()
    for (const [, bucket] of chosen) perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1)
    expect([...perBucket.values()]).toEqual([2, 2, 2, 2])
  })

  it("falls back to hash(host) mod buckets without owners", () => {
    const chosen = chooseBuckets(emptyPlacement(), hosts(5).map((host) => [host, 1] as const), undefined, 64)
    for (const [host, bucket] of chosen) expect(bucket).toBe(bucketOf(`http://${host}/`, 64))
  })
})

const available = postgresFor("test/cluster/Placement.test.ts")
const database = `volley_test_placement_${process.pid}`
let url = ""

describe.runIf(available)("placeChunk on PostgreSQL", () => {
  beforeAll(async () => {
    url = await createDatabase(database)
  })
  afterAll(async () => {
    await dropDatabase(database)
  })

  /** Runs `effect` as a submitting process would: a client of the cluster, volley's tables made. */
  const asClient = <A, E>(effect: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof clientLayer>>>) =>
    Effect.runPromise(
      Effect.zipRight(ensureSchema, effect).pipe(Effect.provide(clientLayer(url, clusterEnv)), Effect.scoped)
    )

  const registerRunners = (ports: ReadonlyArray<number>) =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DELETE FROM cluster_runners`
      for (const port of ports) {
        const address = RunnerAddress.make("10.9.9.9", port)
        const runner = Runner.encodeSync(Runner.make({ address, groups: ["default"], weight: 1 }))
        yield* sql`INSERT INTO cluster_runners (address, runner, healthy, last_heartbeat)
          VALUES (${address.toString()}, ${runner}, true, NOW())`
      }
    })

  const chunk = new Map(hosts(64).map((host, i) => [host, 100 + (i % 5) * 20] as const))

  it("spreads a run's hosts over the runners, one bucket per host, stored for a run submitted again", async () => {
    const { again, first, owners } = await asClient(Effect.gen(function*() {
      yield* registerRunners([1, 2, 3])
      const owners = yield* bucketOwners(1024)
      const first = yield* placeChunk("run-a", emptyPlacement(), chunk, 1024)
      // Submitted again by a fresh process after a runner left: the stored buckets, not new ones.
      yield* registerRunners([1, 2])
      const again = yield* placeChunk("run-a", emptyPlacement(), chunk, 1024)
      return { owners, first, again }
    }))
    expect(owners).toBeDefined()
    expect(new Set(owners).size).toBe(3)
    expect([...first.keys()].sort()).toEqual([...chunk.keys()].sort())
    expect(new Set(first.values()).size).toBe(64)
    const load = [...loadOf(first, chunk, owners!).values()]
    expect(load).toHaveLength(3)
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(180)
    expect(again).toEqual(first)
    const rows = await asClient(Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql<{ hosts: string }>`SELECT count(*) AS hosts FROM volley_hosts WHERE run = 'run-a'`
    ))
    expect(Number(rows[0]!.hosts)).toBe(64)
  })

  it("keeps a host's bucket across the chunks of a run", async () => {
    const { firstChunk, secondChunk } = await asClient(Effect.gen(function*() {
      yield* registerRunners([1, 2, 3])
      const placement = emptyPlacement()
      const firstChunk = yield* placeChunk("run-b", placement, new Map([["a.test", 5], ["b.test", 5]]), 1024)
      const secondChunk = yield* placeChunk("run-b", placement, new Map([["b.test", 5], ["c.test", 5]]), 1024)
      return { firstChunk, secondChunk }
    }))
    expect(secondChunk.get("b.test")).toBe(firstChunk.get("b.test"))
    expect(secondChunk.get("c.test")).not.toBe(secondChunk.get("b.test"))
  })

  it("a process holding no shard is not settled, in the ring or out of it", async () => {
    const { inRing, outOfRing } = await asClient(Effect.gen(function*() {
      yield* registerRunners([1, 2])
      const inRing = yield* holdsOwnShards(RunnerAddress.make("10.9.9.9", 1))
      const outOfRing = yield* holdsOwnShards(RunnerAddress.make("10.9.9.9", 7))
      return { inRing, outOfRing }
    }))
    expect(inRing).toBe(false)
    expect(outOfRing).toBe(false)
  })

  it("uses hash(host) mod buckets when no runner is known", async () => {
    const placed = await asClient(Effect.gen(function*() {
      yield* registerRunners([])
      return yield* placeChunk("run-c", emptyPlacement(), new Map([["a.test", 1], ["b.test", 1]]), 1024)
    }))
    expect(placed.get("a.test")).toBe(bucketOf("http://a.test/", 1024))
    expect(placed.get("b.test")).toBe(bucketOf("http://b.test/", 1024))
  })
})
