/**
 * The cluster mode end to end (built CLI, PostgreSQL on 127.0.0.1): three `volley worker`
 * processes and a submitting `volley fetch --cluster`, against loopback servers on three hosts
 * (127.0.0.1, 127.0.0.2, 127.0.0.3) that count the requests each has in flight.
 *
 * - every input index comes back exactly once, in input order, and is stored once;
 * - `--per-host 2` holds across the workers (one worker owns a host's bucket at a time);
 * - a worker killed with SIGKILL mid-run loses nothing: its buckets move to the others after
 *   the shard-lock expiry (short here: VOLLEY_CLUSTER_LOCK_EXPIRY=3s) and the run completes;
 * - SIGTERM drains a worker and it leaves.
 *
 * The file has a database of its own, created and dropped here. The waits are on output and
 * exits, never on sleeps.
 */
import { once } from "node:events"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { staleBundle } from "../support/CliProcess.js"
import { createDatabase, dropDatabase, postgresFor, query } from "../support/ClusterDatabase.js"
import { clusterEnv, type Running, startCli as startCliWith } from "../support/ClusterProcess.js"

const hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
const env = clusterEnv
const available = postgresFor("test/cluster/Worker.test.ts")

/** A server on one loopback host: answers after `delayMs`, counting requests in flight per host. */
interface HostServer {
  readonly url: string
  readonly server: Server
}

const stats = {
  inFlight: new Map<string, number>(),
  max: new Map<string, number>(),
  requests: 0,
  /** How many times each path was received by POST. */
  posts: new Map<string, number>()
}

const startServer = async (host: string, delayMs: number): Promise<HostServer> => {
  const server = createServer((req, res) => {
    stats.requests++
    if (req.method === "POST") stats.posts.set(`${host}${req.url}`, (stats.posts.get(`${host}${req.url}`) ?? 0) + 1)
    const now = (stats.inFlight.get(host) ?? 0) + 1
    stats.inFlight.set(host, now)
    stats.max.set(host, Math.max(stats.max.get(host) ?? 0, now))
    let done = false
    const finish = () => {
      if (done) return
      done = true
      stats.inFlight.set(host, (stats.inFlight.get(host) ?? 1) - 1)
    }
    res.on("close", finish)
    const timer = setTimeout(() => {
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify({ path: req.url, host }))
    }, delayMs)
    req.on("close", () => {
      if (!res.writableEnded) clearTimeout(timer)
    })
  })
  server.listen(0, host)
  await once(server, "listening")
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, server }
}

const startCli = (args: ReadonlyArray<string>): Running => startCliWith(args, env)

const database = `volley_test_worker_${process.pid}`
let url = ""
let dir = ""
let servers: Array<HostServer> = []
const workers: Array<Running> = []
const workerPorts: Array<number> = []

const startWorker = (port: number) => {
  const worker = startCli(["worker", "--cluster", url, "--listen", `127.0.0.1:${port}`, "-c", "50", "--verbose"])
  workers.push(worker)
  return worker
}

/** Inputs spread over the three hosts, interleaved, each with its index in the path. */
const inputFile = (name: string, count: number): Array<string> => {
  const urls = Array.from({ length: count }, (_, i) => `${servers[i % servers.length]!.url}/item/${i}`)
  writeFileSync(join(dir, name), urls.join("\n") + "\n")
  return urls
}

const readRecords = (path: string) =>
  readFileSync(path, "utf8").trim().split("\n").map((line) =>
    JSON.parse(line) as { index: number; url: string; ok: boolean }
  )

const alive = (worker: Running) => worker.child.exitCode === null && worker.child.signalCode === null

const resetStats = () => {
  stats.max.clear()
  stats.posts.clear()
  stats.requests = 0
}

describe.skipIf(!available)("cluster: workers and a submitter on PostgreSQL (built CLI)", () => {
  beforeAll(async () => {
    const stale = staleBundle()
    if (stale !== undefined) throw new Error(stale)
    dir = mkdtempSync(join(tmpdir(), "volley-cluster-"))
    url = await createDatabase(database)
    servers = await Promise.all(hosts.map((host) => startServer(host, 20)))
    // Free ports for the workers' runner sockets: taken from the OS, then released.
    for (let i = 0; i < 3; i++) {
      const probe = createServer().listen(0, "127.0.0.1")
      await once(probe, "listening")
      workerPorts.push((probe.address() as AddressInfo).port)
      probe.close()
    }
    const started = workerPorts.map(startWorker)
    await Promise.all(started.map((worker) => worker.stderrShows("volley worker: ready")))
  }, 60_000)

  afterAll(async () => {
    for (const worker of workers) if (alive(worker)) worker.child.kill("SIGKILL")
    await Promise.all(workers.map((worker) => worker.exit))
    for (const { server } of servers) server.close()
    if (url !== "") await dropDatabase(database)
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it("every index exactly once and in input order; --per-host 2 holds across the workers", async () => {
    resetStats()
    const urls = inputFile("urls.txt", 300)
    const out = join(dir, "out.ndjson")
    const submit = startCli([
      "fetch",
      "-i",
      join(dir, "urls.txt"),
      "--per-host",
      "2",
      "--no-progress",
      "--buckets",
      "16",
      "--chunk-size",
      "50",
      "--cluster",
      url,
      "-o",
      out
    ])
    expect(await submit.exit, submit.stderr()).toBe(0)
    const records = readRecords(out)
    expect(records.map((r) => r.index)).toEqual(urls.map((_, i) => i))
    expect(records.map((r) => r.url)).toEqual(urls)
    expect(records.every((r) => r.ok)).toBe(true)
    expect(submit.stderr()).toContain("300 done: 300 ok, 0 failed")
    for (const host of hosts) expect(stats.max.get(host) ?? 0).toBeLessThanOrEqual(2)
    expect(stats.requests).toBeGreaterThanOrEqual(300)
    const run = /run (run-[\w-]+) submitted/.exec(submit.stderr())?.[1]
    expect(run).toBeDefined()
    const [row] = await query<{ stored: string; distinct_idx: string }>(
      url,
      `SELECT count(*) AS stored, count(DISTINCT idx) AS distinct_idx FROM volley_results WHERE run = '${run}'`
    )
    expect(Number(row!.stored)).toBe(300)
    expect(Number(row!.distinct_idx)).toBe(300)
    // Re-attached: the same records, read back from the results table.
    const again = startCli(["runs", "results", run!, "--cluster", url, "-o", join(dir, "again.ndjson")])
    expect(await again.exit, again.stderr()).toBe(0)
    expect(readRecords(join(dir, "again.ndjson"))).toEqual(records)
  }, 60_000)

  it("a worker killed with SIGKILL mid-run: the run still completes, every index exactly once", async () => {
    resetStats()
    const urls = inputFile("urls-kill.txt", 600)
    const out = join(dir, "out-kill.ndjson")
    const submit = startCli([
      "fetch",
      "-i",
      join(dir, "urls-kill.txt"),
      "--per-host",
      "2",
      "--no-progress",
      "--buckets",
      "16",
      "--chunk-size",
      "20",
      "--cluster",
      url,
      "-o",
      out
    ])
    const run = await new Promise<string>((resolve) => {
      const check = () => {
        const found = /run (run-[\w-]+) submitted/.exec(submit.stderr())?.[1]
        if (found !== undefined) resolve(found)
        else setImmediate(check)
      }
      check()
    })
    // The first live worker seen working on this run's batches is the one killed.
    const victim = await Promise.race(
      workers.filter(alive).map((w) => w.stderrShows(`batch ${run}:`).then(() => w))
    )
    victim.child.kill("SIGKILL")
    expect(await victim.exit).toBe(null)
    expect(await submit.exit, submit.stderr()).toBe(0)
    const records = readRecords(out)
    expect(records.map((r) => r.index)).toEqual(urls.map((_, i) => i))
    expect(records.map((r) => r.url)).toEqual(urls)
    expect(records.every((r) => r.ok)).toBe(true)
    for (const host of hosts) expect(stats.max.get(host) ?? 0).toBeLessThanOrEqual(2)
    const [row] = await query<{ stored: string; distinct_idx: string }>(
      url,
      `SELECT count(*) AS stored, count(DISTINCT idx) AS distinct_idx FROM volley_results WHERE run = '${run}'`
    )
    expect(Number(row!.stored)).toBe(600)
    expect(Number(row!.distinct_idx)).toBe(600)
  }, 90_000)

  it("POST and a worker killed mid-run: never sent twice; a record each, ok or OutcomeUnknown", async () => {
    resetStats()
    const urls = inputFile("urls-post.txt", 300)
    const out = join(dir, "out-post.ndjson")
    const submit = startCli([
      "fetch",
      "-i",
      join(dir, "urls-post.txt"),
      "-X",
      "POST",
      "-d",
      "x=1",
      "--per-host",
      "2",
      "--no-progress",
      "--chunk-size",
      "20",
      "--cluster",
      url,
      "-o",
      out
    ])
    const run = await new Promise<string>((resolve) => {
      const check = () => {
        const found = /run (run-[\w-]+) submitted/.exec(submit.stderr())?.[1]
        if (found !== undefined) resolve(found)
        else setImmediate(check)
      }
      check()
    })
    const live = workers.filter(alive)
    // One worker at least must stay to finish the run.
    expect(live.length).toBeGreaterThan(1)
    const victim = await Promise.race(live.map((w) => w.stderrShows(`batch ${run}:`).then(() => w)))
    victim.child.kill("SIGKILL")
    await victim.exit
    const code = await submit.exit
    expect([0, 1], submit.stderr()).toContain(code)
    const records = readRecords(out) as Array<{ index: number; url: string; ok: boolean; error?: { _tag: string } }>
    expect(records.map((r) => r.index)).toEqual(urls.map((_, i) => i))
    for (const record of records) {
      if (!record.ok) expect(record.error?._tag).toBe("OutcomeUnknown")
    }
    // At most once each: what a dead worker may have sent is not sent again.
    for (const [path, count] of stats.posts) expect(count, path).toBe(1)
    for (const record of records.filter((r) => r.ok)) {
      const { hostname, pathname } = new URL(record.url)
      expect(stats.posts.get(`${hostname}${pathname}`), record.url).toBe(1)
    }
  }, 90_000)

  it(
    "the submitter stopped mid-run and re-attached: volley runs results RUN gives every record, in order",
    async () => {
      const urls = inputFile("urls-attach.txt", 300)
      const submit = startCli([
        "fetch",
        "-i",
        join(dir, "urls-attach.txt"),
        "--per-host",
        "1",
        "--no-progress",
        "--chunk-size",
        "30",
        "--cluster",
        url,
        "-o",
        join(dir, "out-attach.ndjson")
      ])
      await submit.stderrShows("inputs submitted")
      const run = /run (run-[\w-]+) submitted/.exec(submit.stderr())?.[1]
      submit.child.kill("SIGINT")
      expect(await submit.exit, submit.stderr()).toBe(130)
      const attached = startCli(["runs", "results", run!, "--cluster", url, "-o", join(dir, "attached.ndjson")])
      expect(await attached.exit, attached.stderr()).toBe(0)
      const records = readRecords(join(dir, "attached.ndjson"))
      expect(records.map((r) => r.index)).toEqual(urls.map((_, i) => i))
      expect(records.map((r) => r.url)).toEqual(urls)
      const status = startCli(["runs", "status", run!, "--cluster", url])
      let out = ""
      status.child.stdout!.setEncoding("utf8").on("data", (text: string) => out += text)
      expect(await status.exit).toBe(0)
      expect(out).toContain(`${run}`)
      expect(out).toContain("300/300 stored  done")
    },
    60_000
  )

  it("flags the cluster mode does not carry yet are refused before anything is sent (exit 2)", async () => {
    const submit = startCli(["fetch", `${servers[0]!.url}/x`, "--rate", "5/s", "--cluster", url])
    expect(await submit.exit).toBe(2)
    expect(submit.stderr()).toContain("--cluster does not take --rate yet")
    const worker = startCli(["worker"])
    expect(await worker.exit).toBe(2)
    expect(worker.stderr()).toContain("volley worker needs --cluster URL")
  })

  it("SIGTERM: a worker drains, leaves the cluster and exits 0", async () => {
    const live = workers.filter(alive)
    expect(live.length).toBeGreaterThan(0)
    for (const worker of live) worker.child.kill("SIGTERM")
    for (const worker of live) {
      expect(await worker.exit, worker.stderr()).toBe(0)
      expect(worker.stderr()).toContain("volley worker: left the cluster")
    }
  }, 60_000)
})
