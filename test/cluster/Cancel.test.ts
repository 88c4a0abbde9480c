/**
 * `volley runs cancel RUN` end to end (built CLI, PostgreSQL on 127.0.0.1, a real worker
 * process): the loopback server holds every request until the run is cancelled, so the run is
 * cancelled while its first batch is in flight, whatever the machine's speed.
 *
 * - the submitting `volley fetch --cluster` stops with one line and exit 3;
 * - the worker skips (and acks) the batches still to come: far fewer requests than inputs, and
 *   the worker goes on to serve a later run;
 * - `runs status` / `runs list` show the run cancelled; `runs results` (re-attach) exits 3 too.
 *
 * The file has a database of its own, created and dropped here. No sleeps: waits are on output.
 */
import { spawnSync } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { staleBundle } from "../support/CliProcess.js"
import { createDatabase, dropDatabase, postgresFor } from "../support/ClusterDatabase.js"
import { clusterEnv, type Running, startCli as startCliWith } from "../support/ClusterProcess.js"

const env = clusterEnv
const available = postgresFor("test/cluster/Cancel.test.ts")

const startCli = (args: ReadonlyArray<string>): Running => startCliWith(args, env)

// Only for commands that do not need the loopback server (spawnSync blocks this process).
const cli = (args: ReadonlyArray<string>) => spawnSync("node", ["bin/volley.js", ...args], { env, encoding: "utf8" })

const database = `volley_test_cancel_${process.pid}`
let url = ""
let dir = ""
let base = ""
let hold = true
let requests = 0
const held: Array<ServerResponse> = []
const server = createServer((req, res) => {
  requests++
  res.setHeader("content-type", "application/json")
  if (hold) held.push(res)
  else res.end(JSON.stringify({ path: req.url }))
})
let worker: Running | undefined

describe.skipIf(!available)("cluster: volley runs cancel (built CLI, a worker process)", () => {
  beforeAll(async () => {
    const stale = staleBundle()
    if (stale !== undefined) throw new Error(stale)
    dir = mkdtempSync(join(tmpdir(), "volley-cancel-"))
    url = await createDatabase(database)
    server.listen(0, "127.0.0.1")
    await once(server, "listening")
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const probe = createServer().listen(0, "127.0.0.1")
    await once(probe, "listening")
    const port = (probe.address() as AddressInfo).port
    probe.close()
    worker = startCli(["worker", "--cluster", url, "--listen", `127.0.0.1:${port}`, "-c", "50", "--verbose"])
    await worker.stderrShows("volley worker: ready")
  }, 60_000)

  afterAll(async () => {
    hold = false
    for (const res of held.splice(0)) res.end("{}")
    if (worker !== undefined && worker.child.exitCode === null) {
      worker.child.kill("SIGKILL")
      await worker.exit
    }
    server.close()
    if (url !== "") await dropDatabase(database)
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it("stops the submitter (exit 3), the worker skips the rest, runs status/list/results show it", async () => {
    const count = 200
    writeFileSync(join(dir, "urls.txt"), Array.from({ length: count }, (_, i) => `${base}/item/${i}\n`).join(""))
    const submit = startCli([
      "fetch",
      "-i",
      join(dir, "urls.txt"),
      "--no-progress",
      "--buckets",
      "1",
      "--chunk-size",
      "10",
      "--cluster",
      url,
      "-o",
      join(dir, "out.ndjson")
    ])
    await submit.stderrShows("submitted to")
    const run = /run (run-[\w-]+) submitted/.exec(submit.stderr())?.[1]
    expect(run).toBeDefined()
    // The first batch is in flight (its requests held): cancel, then let them answer.
    await worker!.stderrShows(`batch ${run}:0:0`)
    const cancelled = cli(["runs", "cancel", run!, "--cluster", url])
    expect(cancelled.status, cancelled.stderr).toBe(0)
    expect(cancelled.stdout).toContain(`run ${run} cancelled`)
    hold = false
    for (const res of held.splice(0)) res.end("{}")

    expect(await submit.exit, submit.stderr()).toBe(3)
    const lastLine = submit.stderr().trim().split("\n").at(-1)
    expect(lastLine).toMatch(new RegExp(`^volley: run ${run} was cancelled`))
    // Batches after the cancel were acknowledged unfetched.
    expect(requests).toBeLessThan(count)

    const status = cli(["runs", "status", run!, "--cluster", url])
    expect(status.status, status.stderr).toBe(0)
    expect(status.stdout).toContain("cancelled")
    const list = cli(["runs", "list", "--cluster", url])
    expect(list.stdout).toMatch(new RegExp(`${run}.*cancelled`))
    const results = cli(["runs", "results", run!, "--cluster", url, "-o", join(dir, "again.ndjson")])
    expect(results.status).toBe(3)
    expect(results.stderr.trim()).toMatch(new RegExp(`^volley: run ${run} was cancelled`))

    // The worker is not stuck on the cancelled run: a new run completes.
    writeFileSync(join(dir, "few.txt"), `${base}/after/1\n${base}/after/2\n`)
    // Not spawnSync: the server answering it lives in this process.
    const after = startCli([
      "fetch",
      "-i",
      join(dir, "few.txt"),
      "--no-progress",
      "--cluster",
      url,
      "-o",
      join(dir, "few.out")
    ])
    expect(await after.exit, after.stderr()).toBe(0)
  }, 120_000)
})
