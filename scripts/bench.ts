/**
 * `npm run bench`: volley beside an in-repo raw-undici baseline on one local API, same URLs,
 * same concurrency; prints requests per second, efficiency against the ideal, peak memory and
 * the ratios, as medians of several runs. Then runs ../shared/bench/compare.sh (volley beside
 * undici, fetch, aiohttp and curl) when that folder exists.
 *
 *   npm run bench                       # throughput and latency, 3 runs each
 *   npm run bench -- --runs 5 --json bench.json --scenario throughput
 *   npm run bench -- --scenario tls     # HTTPS (certificate made at run time): HTTP/1.1 and --http2
 *   npm run bench -- --scenario gzip    # 1 KB JSON bodies sent gzip: decoded vs --no-decompress
 *   npm run bench -- --scenario limited  # pacing to an announced limit: attempts, failures, time
 *   npm run bench -- --scenario cluster # 20k URLs at 100 ms on 64 hosts: --cluster with 1, 2, 3
 *                                       # workers (c=50 each) beside the embedded run (scripts/bench-cluster.ts)
 *   npm run bench -- --scenario html    # 100 generated ~200 KB HTML pages, c=10: --select a
 *                                       # --select-attr href --no-body against --no-body alone
 */
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const args = process.argv.slice(2)
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const runs = Number(flag("runs") ?? 3)
const only = flag("scenario")
if (only === "cluster") {
  // Its own script: workers, PostgreSQL and 64 loopback hosts (issue 16).
  await import("./bench-cluster.js")
  process.exit(0)
}

interface Scenario {
  readonly name: string
  readonly urls: number
  readonly delayMs: number
  readonly concurrency: number
  /** The demo API (`volley serve`), or scripts/bench-server.mjs over TLS, with gzip bodies or HTML pages. */
  readonly server?: "tls" | "gzip" | "html"
}
const scenarios: ReadonlyArray<Scenario> = [
  { name: "throughput", urls: 20_000, delayMs: 0, concurrency: 64 },
  { name: "latency", urls: 5_000, delayMs: 100, concurrency: 100 },
  { name: "scale-10k", urls: 10_000, delayMs: 0, concurrency: 64 },
  { name: "scale-50k", urls: 50_000, delayMs: 0, concurrency: 64 },
  { name: "scale-100k", urls: 100_000, delayMs: 0, concurrency: 64 },
  { name: "tls", urls: 20_000, delayMs: 0, concurrency: 64, server: "tls" as const },
  { name: "gzip", urls: 20_000, delayMs: 0, concurrency: 64, server: "gzip" as const },
  { name: "html", urls: 100, delayMs: 0, concurrency: 10, server: "html" as const }
].filter((s) =>
  only === undefined
    ? !s.name.startsWith("scale") && s.server === undefined
    : s.name === only || (only === "scale" && s.name.startsWith("scale"))
)
const runLimited = only === undefined || only === "limited"

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Runs a command under /usr/bin/time: wall seconds and peak RSS in MiB. */
const measure = (command: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) => {
  const timeFile = join(work, "time")
  const hasTime = existsSync("/usr/bin/time")
  const started = performance.now()
  const result = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", timeFile, ...command], {
      stdio: ["ignore", "ignore", "pipe"],
      env
    })
    : spawnSync(command[0]!, command.slice(1), { stdio: ["ignore", "ignore", "pipe"], env })
  const wall = (performance.now() - started) / 1000
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr.toString().slice(-300)}`)
  const peak = hasTime ? Number(readFileSync(timeFile, "utf8").trim().split(" ")[1]) / 1024 : Number.NaN
  return { wall, peak }
}

const work = mkdtempSync(join(tmpdir(), "volley-bench-"))

/** Starts a server that prints "listening [on] URL"; its URL. */
const startServer = async (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] })
  servers.push(child)
  return await new Promise<string>((resolve) => {
    child.stdout!.on("data", (data: Buffer) => {
      const match = /listening (?:on )?(\S+)/.exec(data.toString())
      if (match) resolve(match[1]!)
    })
  })
}
const servers: Array<ReturnType<typeof spawn>> = []
const demoBase = runLimited || scenarios.some((s) => s.server === undefined)
  ? await startServer([join(root, "bin/volley.js"), "serve", "--port", "0"])
  : undefined
/** A self-signed certificate for 127.0.0.1, made now (no key is kept). */
const tlsDir = () => {
  if (!existsSync(join(work, "cert.pem"))) {
    const made = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(work, "key.pem"),
      "-out",
      join(work, "cert.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1"
    ], { stdio: "ignore" })
    if (made.status !== 0) throw new Error("openssl could not make the bench certificate")
  }
  return work
}

const report: Array<Record<string, unknown>> = []
try {
  for (const scenario of scenarios) {
    const base = scenario.server === "tls"
      ? await startServer([join(root, "scripts/bench-server.mjs"), "--tls", tlsDir()])
      : scenario.server === "gzip"
      ? await startServer([join(root, "scripts/bench-server.mjs"), "--gzip"])
      : scenario.server === "html"
      ? await startServer([join(root, "scripts/bench-server.mjs"), "--html"])
      : demoBase!
    // Every tool trusts the bench certificate the way Node tools do.
    const env = scenario.server === "tls"
      ? { ...process.env, NODE_EXTRA_CA_CERTS: join(work, "cert.pem") }
      : process.env
    const urls = join(work, `${scenario.name}.txt`)
    const lines = Array.from(
      { length: scenario.urls },
      (_, i) => scenario.delayMs > 0 ? `${base}/json/${i}?delay=${scenario.delayMs}` : `${base}/json/${i}`
    )
    writeFileSync(urls, lines.join("\n") + "\n")
    const ideal = Math.ceil(scenario.urls / scenario.concurrency) * scenario.delayMs / 1000
    const tools: Record<string, ReadonlyArray<string>> = {
      volley: [
        process.execPath,
        join(root, "bin/volley.js"),
        "fetch",
        "--input",
        urls,
        "-c",
        String(scenario.concurrency),
        "-o",
        join(work, "volley.out"),
        "--no-progress"
      ],
      "raw-undici": [
        process.execPath,
        join(root, "scripts/raw-undici.mjs"),
        urls,
        String(scenario.concurrency),
        join(work, "raw.out")
      ]
    }
    // tls: volley's HTTP/2 too; gzip: volley without decoding (the server then sends plain JSON);
    // html: volley extracting every link (the issue-19 case) against the same fetch without it.
    const variant = scenario.server === "tls"
      ? "--http2"
      : scenario.server === "gzip"
      ? "--no-decompress"
      : scenario.server === "html"
      ? "--no-body"
      : undefined
    if (variant !== undefined) tools[`volley ${variant}`] = [...tools["volley"]!, variant]
    if (scenario.server === "html") {
      tools["volley"] = [...tools["volley"]!, "--select", "a", "--select-attr", "href", "--no-body"]
    }
    // The demo server is an Effect program too: its first thousands of requests run before the
    // JIT has warmed it, so an untimed run goes first. Then the tools take turns, run after run,
    // so a machine that slows down for a while slows both.
    measure(tools["raw-undici"]!, env)
    const samples: Record<string, Array<{ wall: number; peak: number }>> = {}
    for (const tool of Object.keys(tools)) samples[tool] = []
    for (let run = 0; run < runs; run++) {
      for (const [tool, command] of Object.entries(tools)) samples[tool]!.push(measure(command, env))
    }
    const results: Record<string, { wall: number; peak: number }> = {}
    for (const [tool, taken] of Object.entries(samples)) {
      results[tool] = { wall: median(taken.map((s) => s.wall)), peak: median(taken.map((s) => s.peak)) }
    }
    const v = results["volley"]!
    const r = results["raw-undici"]!
    const row = {
      scenario: scenario.name,
      urls: scenario.urls,
      concurrency: scenario.concurrency,
      volley_req_per_s: Math.round(scenario.urls / v.wall),
      raw_req_per_s: Math.round(scenario.urls / r.wall),
      throughput_ratio: Number((r.wall / v.wall).toFixed(2)),
      volley_efficiency: ideal > 0 ? Number((ideal / v.wall).toFixed(2)) : undefined,
      raw_efficiency: ideal > 0 ? Number((ideal / r.wall).toFixed(2)) : undefined,
      volley_peak_mib: Math.round(v.peak),
      raw_peak_mib: Math.round(r.peak),
      ...(variant === undefined ? {} : {
        variant,
        variant_req_per_s: Math.round(scenario.urls / results[`volley ${variant}`]!.wall),
        // html: the peak without extraction, beside volley_peak_mib with it.
        variant_peak_mib: Math.round(results[`volley ${variant}`]!.peak),
        // tls: volley --http2 against volley's HTTP/1.1; gzip: decoding against not decoding;
        // html: extracting against not extracting (below 1: the parse's share of the time).
        variant_ratio: Number((results["volley"]!.wall / results[`volley ${variant}`]!.wall).toFixed(2))
      })
    }
    report.push(row)
    console.log(JSON.stringify(row))
  }
  if (runLimited) {
    // The demo API's /limited announces 20 a second in RateLimit-* headers: 100 URLs at -c 32
    // take 4 s at best (20 at once, then 20 at each of the next four seconds).
    const rate = 20
    const count = 100
    const ideal = Math.ceil(count / rate) - 1
    for (const mode of ["plain", "adaptive"] as const) {
      const taken: Array<{ wall: number; failed: number; attempts: number }> = []
      for (let run = 0; run < runs; run++) {
        const started = performance.now()
        const result = spawnSync(process.execPath, [
          join(root, "bin/volley.js"),
          "fetch",
          `${demoBase!}/limited/bench-${mode}-${run}?rate=${rate}&n={1..${count}}`,
          "-c",
          "32",
          "-o",
          join(work, "limited.out"),
          "--no-progress",
          ...(mode === "adaptive" ? ["--adaptive"] : [])
        ], { stdio: ["ignore", "ignore", "pipe"] })
        const wall = (performance.now() - started) / 1000
        const summary = result.stderr.toString()
        const failed = Number(/(\d+) failed/.exec(summary)?.[1] ?? Number.NaN)
        const attempts = Number(/(\d+) attempts/.exec(summary)?.[1] ?? count)
        taken.push({ wall, failed, attempts })
      }
      const row = {
        scenario: "limited",
        mode,
        urls: count,
        concurrency: 32,
        announced_rate: rate,
        failed_max: Math.max(...taken.map((t) => t.failed)),
        attempts_per_record: Number((median(taken.map((t) => t.attempts)) / count).toFixed(2)),
        wall_s: Number(median(taken.map((t) => t.wall)).toFixed(2)),
        ideal_s: ideal,
        efficiency: Number((ideal / median(taken.map((t) => t.wall))).toFixed(2))
      }
      report.push(row)
      console.log(JSON.stringify(row))
    }
  }
} finally {
  for (const server of servers) server.kill()
  rmSync(work, { recursive: true, force: true })
}

const out = flag("json")
if (out !== undefined) writeFileSync(out, JSON.stringify(report, null, 2) + "\n")

const peers = join(root, "..", "shared", "bench", "compare.sh")
if (existsSync(peers) && !args.includes("--no-peers")) {
  console.log(`\npeers (${peers}):`)
  const command = `node ${
    join(root, "bin/volley.js")
  } fetch --input {urls} --concurrency {c} --output {out} --no-progress`
  for (const scenario of ["throughput", "latency"]) {
    spawnSync("bash", [peers, scenario, String(runs)], {
      stdio: "inherit",
      env: { ...process.env, PROJECT_CMD: command }
    })
  }
}
