/**
 * `volley run FLOW --cluster` end to end (built CLI, PostgreSQL on 127.0.0.1, a database of
 * this file's own): a workflow of a single step, a forEach fan-out over three loopback hosts and
 * a last step, run as an `@effect/workflow` execution on a `volley worker`.
 *
 * - the records are those of the local `volley run` (times aside);
 * - the same `--id` twice runs once: the second prints the stored result, the server sees nothing;
 * - the worker and the submitter killed with SIGKILL mid fan-out, then a new worker and the same
 *   `--id` again: the finished step is not run again, no stored item is fetched again.
 *
 * The server counts requests per path. Waits are on output, exits and requests, never on sleeps.
 */
import { once } from "node:events"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { staleBundle } from "../support/CliProcess.js"
import { createDatabase, dropDatabase, postgresFor, query } from "../support/ClusterDatabase.js"
import { alive, clusterEnv, freePort, type Running, startCli } from "../support/ClusterProcess.js"

const hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
const env = clusterEnv
const available = postgresFor("test/cluster/WorkflowExecution.test.ts")

/** Requests received per path (`/users`, `/posts/3`, `/done`). */
const counts = new Map<string, number>()
/** While set, `/posts/{held}` is not answered; told when it arrives. */
let hold: { readonly id: number; readonly arrived: () => void; readonly pending: Array<ServerResponse> } | undefined
let bases: Array<string> = []

const items = 6

const answer = (req: IncomingMessage, res: ServerResponse) => {
  const path = req.url ?? "/"
  counts.set(path, (counts.get(path) ?? 0) + 1)
  // No Date header: records of two runs compare equal.
  res.sendDate = false
  res.setHeader("content-type", "application/json")
  if (path === "/users") {
    return res.end(JSON.stringify(Array.from({ length: items }, (_, id) => ({ id, base: bases[id % bases.length] }))))
  }
  if (hold !== undefined && path === `/posts/${hold.id}`) {
    hold.pending.push(res)
    return hold.arrived()
  }
  res.end(JSON.stringify({ path }))
}

const database = `volley_test_wfexec_${process.pid}`
let url = ""
let dir = ""
let servers: Array<Server> = []
const processes: Array<Running> = []

const cli = (args: ReadonlyArray<string>) => {
  const running = startCli(args, env)
  processes.push(running)
  return running
}

const startWorker = async () => {
  const worker = cli(["worker", "--cluster", url, "--listen", `127.0.0.1:${await freePort()}`])
  await worker.stderrShows("volley worker: ready")
  return worker
}

/** The result without what differs between two runs: times. */
const comparable = (json: string) => {
  const result = JSON.parse(json) as { steps: Record<string, unknown>; ms?: number }
  const strip = (record: unknown) => {
    const { ms: _ms, timings: _timings, ...rest } = record as Record<string, unknown>
    return rest
  }
  for (const [name, step] of Object.entries(result.steps)) {
    result.steps[name] = Array.isArray(step) ? step.map(strip) : strip(step)
  }
  delete result.ms
  return result
}

const flow = () => join(dir, "flow.yaml")

describe.skipIf(!available)("volley run --cluster: a workflow execution on the workers (built CLI)", () => {
  let worker: Running
  beforeAll(async () => {
    const stale = staleBundle()
    if (stale !== undefined) throw new Error(stale)
    dir = mkdtempSync(join(tmpdir(), "volley-wfexec-"))
    url = await createDatabase(database)
    servers = hosts.map((host) => createServer(answer).listen(0, host))
    await Promise.all(servers.map((server) => once(server, "listening")))
    bases = servers.map((server, i) => `http://${hosts[i]}:${(server.address() as AddressInfo).port}`)
    writeFileSync(
      flow(),
      [
        "name: fan-out",
        "vars:",
        `  base: "${bases[0]}"`,
        "steps:",
        "  users:",
        "    request: \"{{ vars.base }}/users\"",
        "  posts:",
        "    forEach: users.body",
        "    request: \"{{ item.base }}/posts/{{ item.id }}\"",
        "  done:",
        "    request: \"{{ vars.base }}/done\"",
        "    needs: [posts]",
        ""
      ].join("\n")
    )
    worker = await startWorker()
  }, 60_000)

  afterAll(async () => {
    for (const running of processes) if (alive(running)) running.child.kill("SIGKILL")
    await Promise.all(processes.map((running) => running.exit))
    for (const server of servers) server.close()
    if (url !== "") await dropDatabase(database)
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it("the same records as a local run; the same --id again runs nothing and prints the stored result", async () => {
    const local = cli(["run", flow(), "--format", "json"])
    expect(await local.exit, local.stderr()).toBe(0)
    counts.clear()
    const first = cli(["run", flow(), "--format", "json", "--cluster", url, "--id", "same"])
    expect(await first.exit, first.stderr()).toBe(0)
    expect(comparable(first.stdout())).toEqual(comparable(local.stdout()))
    expect(counts.get("/users")).toBe(1)
    expect(counts.get("/done")).toBe(1)
    for (let id = 0; id < items; id++) expect(counts.get(`/posts/${id}`), `/posts/${id}`).toBe(1)
    counts.clear()
    const second = cli(["run", flow(), "--format", "json", "--cluster", url, "--id", "same"])
    expect(await second.exit, second.stderr()).toBe(0)
    expect(second.stdout()).toBe(first.stdout())
    expect([...counts]).toEqual([])
  }, 60_000)

  it(
    "killed mid fan-out (worker and submitter, SIGKILL), resumed with the same --id: finished work is not redone",
    async () => {
      counts.clear()
      let arrived = () => {}
      const held = new Promise<void>((resolve) => arrived = resolve)
      hold = { id: items - 1, arrived, pending: [] }
      const submit = cli(["run", flow(), "--format", "json", "--cluster", url, "--id", "killed"])
      await held
      // Every other item stored (each query waits for the database; no timer): none may be fetched again.
      const storedNow = () =>
        query<{ idx: string }>(url, "SELECT idx FROM volley_results WHERE run = 'wf/killed/posts'")
      let stored = await storedNow()
      while (stored.length < items - 1) stored = await storedNow()
      worker.child.kill("SIGKILL")
      submit.child.kill("SIGKILL")
      await Promise.all([worker.exit, submit.exit])
      const pending = hold.pending
      hold = undefined
      for (const res of pending) res.destroy()
      worker = await startWorker()
      const again = cli(["run", flow(), "--format", "json", "--cluster", url, "--id", "killed"])
      expect(await again.exit, again.stderr()).toBe(0)
      const result = JSON.parse(again.stdout()) as { steps: { posts: Array<{ ok: boolean }> } }
      expect(result.steps.posts.map((record) => record.ok)).toEqual(Array.from({ length: items }, () => true))
      expect(counts.get("/users")).toBe(1)
      expect(counts.get("/done")).toBe(1)
      expect(stored.map(({ idx }) => Number(idx)).sort()).toEqual([0, 1, 2, 3, 4])
      for (const { idx } of stored) expect(counts.get(`/posts/${idx}`), `/posts/${idx}`).toBe(1)
      // The held item, whose worker died before its answer: sent again, once.
      expect(counts.get(`/posts/${items - 1}`)).toBe(2)
    },
    90_000
  )
})
