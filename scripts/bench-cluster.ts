/**
 * `npm run bench -- --scenario cluster`: 20,000 URLs over 64 loopback hosts (127.0.0.1–64; BENCH_HOSTS),
 * each answered after 100 ms; `volley fetch --cluster` with 1, 2 and 3 workers of concurrency
 * 50 each, beside the embedded run at -c 50 (the same 50 in flight as one worker). Prints wall
 * times, the speed-up over one worker, the 1-worker cluster run against the embedded one, and
 * records stored per second. Needs PostgreSQL on 127.0.0.1:5432 (a database of its own, dropped
 * at the end).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { once } from "node:events"
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = join(root, "bin/volley.js")
// BENCH_URLS, BENCH_WORKERS ("1,2,3") and BENCH_CPU_PROF (a directory: workers run with --cpu-prof) for profiling.
const urlsCount = Number(process.env["BENCH_URLS"] ?? 20_000)
const workerCounts = (process.env["BENCH_WORKERS"] ?? "1,2,3").split(",").map(Number)
const cpuProf = process.env["BENCH_CPU_PROF"]
// BENCH_SUBMIT_ARGS: more flags for the submitting `volley fetch --cluster` (e.g. "--chunk-size 5000").
const submitArgs = (process.env["BENCH_SUBMIT_ARGS"] ?? "").split(" ").filter((word) => word !== "")
// BENCH_WORKER_ARGS: more flags for each `volley worker` (e.g. "--bucket-concurrency 4").
const workerArgs = (process.env["BENCH_WORKER_ARGS"] ?? "").split(" ").filter((word) => word !== "")
// BENCH_LOG_DIR: each worker's stderr goes to worker-WORKERS-PORT.log there too (with --verbose,
// its batches), each line prefixed with the epoch milliseconds it arrived at, and its stdout (the
// cluster's own log) to worker-WORKERS-PORT.stdout.log; for each cluster run, its start, end and
// stored records (`idx stored_at_ms`) go to run-N.log, its hosts' buckets to hosts-N.log and its
// batches' store times to messages-N.log: per runner, when work started and ended.
const logDir = process.env["BENCH_LOG_DIR"]
const delayMs = 100
const perWorker = 50
// BENCH_HOSTS: how many loopback hosts serve the URLs (64 by default; 127.0.0.1 up, then 127.0.1.x).
const hostCount = Number(process.env["BENCH_HOSTS"] ?? 64)
const hosts = Array.from({ length: hostCount }, (_, i) => `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`)
const database = "volley_bench_cluster"
const admin = (sql: string) => spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-qc", sql, "postgres"])
// Rows of a query on the bench's database, one a line, fields apart by a space.
const rowsOf = (sql: string) =>
  spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-qAtF", " ", "-c", sql, database], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  }).stdout
// BENCH_LOCK_EXPIRY: VOLLEY_CLUSTER_LOCK_EXPIRY for every process (volley's default, 35s, unless set).
// Nothing fails over here; a short expiry leaves a lock refresh a third of it, which a loaded
// machine may miss, and a missed refresh makes the worker drop and redeliver all its batches.
const lockExpiry = process.env["BENCH_LOCK_EXPIRY"]
const env = {
  ...process.env,
  NO_COLOR: "1",
  ...(lockExpiry === undefined ? {} : { VOLLEY_CLUSTER_LOCK_EXPIRY: lockExpiry })
}

if (spawnSync("pg_isready", ["-h", "127.0.0.1", "-t", "10"]).status !== 0) {
  process.stderr.write("bench cluster: PostgreSQL does not answer on 127.0.0.1:5432\n")
  process.exit(1)
}
admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
admin(`CREATE DATABASE ${database}`)
const url = `postgres://postgres@127.0.0.1:5432/${database}`
const work = mkdtempSync(join(tmpdir(), "volley-bench-cluster-"))

const servers: Array<Server> = []
const bases: Array<string> = []
for (const host of hosts) {
  const server = createServer((req, res) => {
    setTimeout(() => {
      res.setHeader("content-type", "application/json")
      res.end(`{"path":${JSON.stringify(req.url)}}`)
    }, delayMs)
  })
  server.listen(0, host)
  await once(server, "listening")
  servers.push(server)
  bases.push(`http://${host}:${(server.address() as AddressInfo).port}`)
}
const input = join(work, "urls.txt")
writeFileSync(
  input,
  Array.from({ length: urlsCount }, (_, i) => `${bases[i % bases.length]}/json/${i}`).join("\n") + "\n"
)

const run = (args: ReadonlyArray<string>) =>
  new Promise<number>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "ignore", "pipe"] })
    let errors = ""
    child.stderr.setEncoding("utf8").on("data", (text: string) => errors += text)
    child.on("exit", (code) =>
      code === 0
        ? resolve((performance.now() - started) / 1000)
        : reject(new Error(`volley ${args.join(" ")} exited ${code}: ${errors.slice(-400)}`)))
  })

const startWorker = async (port: number, workers: number): Promise<ChildProcess> => {
  const child = spawn(process.execPath, [
    ...(cpuProf === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", cpuProf]),
    bin,
    "worker",
    "--cluster",
    url,
    "--listen",
    `127.0.0.1:${port}`,
    "-c",
    String(perWorker),
    ...workerArgs
  ], {
    env,
    stdio: ["ignore", logDir === undefined ? "ignore" : "pipe", "pipe"]
  })
  // The cluster's own log lines (shard moves, lock trouble) go to stdout.
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    if (logDir !== undefined) appendFileSync(join(logDir, `worker-${workers}-${port}.stdout.log`), text)
  })
  let errors = ""
  let partial = ""
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      if (logDir !== undefined) {
        const now = Date.now()
        const lines = (partial + text).split("\n")
        partial = lines.pop() ?? ""
        appendFileSync(join(logDir, `worker-${workers}-${port}.log`), lines.map((line) => `${now} ${line}\n`).join(""))
      }
      errors += text
      if (errors.includes("volley worker: ready")) resolve()
    })
    child.on("exit", (code) => reject(new Error(`worker exited ${code}: ${errors.slice(-400)}`)))
  })
  return child
}

const rows: Array<Record<string, number | string>> = []
try {
  const embedded = await run([
    "fetch",
    "-i",
    input,
    "-c",
    String(perWorker),
    "--no-progress",
    "-o",
    join(work, "local.out")
  ])
  rows.push({
    mode: "embedded -c 50",
    wall_s: Number(embedded.toFixed(2)),
    req_per_s: Math.round(urlsCount / embedded)
  })
  let oneWorker = 0
  for (const count of workerCounts) {
    const workers = await Promise.all(Array.from({ length: count }, (_, i) => startWorker(19_100 + i, count)))
    const startedAt = Date.now()
    const wall = await run([
      "fetch",
      "-i",
      input,
      "--no-progress",
      "--cluster",
      url,
      "-o",
      join(work, `cluster-${count}.out`),
      ...submitArgs
    ])
    if (count === 1) oneWorker = wall
    if (logDir !== undefined) {
      // The run just made is the newest: its records' store times, for the per-runner tails.
      const latestRun = "(SELECT id FROM volley_runs ORDER BY created_at DESC LIMIT 1)"
      const stored = rowsOf(`SELECT idx, (extract(epoch FROM stored_at) * 1000)::bigint FROM volley_results
          WHERE run = ${latestRun} ORDER BY idx`)
      writeFileSync(
        join(logDir, `hosts-${count}.log`),
        rowsOf(`SELECT host, bucket FROM volley_hosts WHERE run = ${latestRun}`)
      )
      // When the submitter stored each batch: a message id is a snowflake, its time since 2025-01-01.
      writeFileSync(
        join(logDir, `messages-${count}.log`),
        rowsOf(`SELECT message_id, (id >> 22) + ${Date.UTC(2025, 0, 1)} FROM cluster_messages
          WHERE position(${latestRun} IN message_id) > 0`)
      )
      writeFileSync(
        join(logDir, `run-${count}.log`),
        `start ${startedAt}\nend ${Math.round(startedAt + wall * 1000)}\nhosts ${hostCount}\n${stored}`
      )
    }
    rows.push({
      mode: `cluster, ${count} worker${count > 1 ? "s" : ""} × 50`,
      wall_s: Number(wall.toFixed(2)),
      req_per_s: Math.round(urlsCount / wall),
      rows_stored_per_s: Math.round(urlsCount / wall),
      speedup_vs_1_worker: Number((oneWorker / wall).toFixed(2)),
      vs_embedded: Number((wall / embedded).toFixed(2))
    })
    for (const worker of workers) worker.kill("SIGTERM")
    await Promise.all(workers.map((worker) => worker.exitCode === null ? once(worker, "exit") : undefined))
  }
} finally {
  for (const server of servers) server.close()
  admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
  rmSync(work, { recursive: true, force: true })
}
console.table(rows)
console.log(`ideal with 50 in flight: ${(Math.ceil(urlsCount / perWorker) * delayMs / 1000).toFixed(1)} s`)
