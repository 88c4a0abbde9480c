/**
 * `Volley.layerCluster` (issue 16, point 5): the library's service on a cluster, in place of the
 * local layer, with a real `volley worker` process (built CLI) and PostgreSQL on 127.0.0.1.
 *
 * - `fetchAll`, `stream` and `fetchOne` give the records the local layer gives for the same
 *   inputs (two loopback hosts, a 404, an invalid URL, a POST with headers and a body): in input
 *   order, every index once — only the times (`ms`) differ;
 * - options the workers cannot honour fail the call with `ClusterUnsupported` naming the option,
 *   and submit nothing (a workflow step with `save:` too);
 * - `runWorkflow` runs the workflow as an execution on the workers: the local layer's output;
 * - a plain `import` of the library loads no cluster package; building the layer does.
 *
 * The file has a database of its own, created and dropped here. Waits are on output, never sleeps.
 */
import { Effect, Layer, Schema, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { once } from "node:events"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClusterError, ClusterUnsupported } from "../../src/cluster/ClusterError.js"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import * as Volley from "../../src/Volley.js"
import * as Workflow from "../../src/workflow/Workflow.js"
import { stepRecords } from "../../src/workflow/WorkflowOutput.js"
import { staleBundle } from "../support/CliProcess.js"
import { createDatabase, dropDatabase, postgresFor, query } from "../support/ClusterDatabase.js"
import { clusterEnv, freePort, type Running, startCli } from "../support/ClusterProcess.js"

const env = clusterEnv
const available = postgresFor("test/cluster/LayerCluster.test.ts")

const database = `volley_test_layercluster_${process.pid}`
let url = ""
let worker: Running | undefined
const servers: Array<{ server: Server; base: string }> = []

/** Answers by path: /missing is a 404; a POST echoes its method, body and header. */
const startServer = async (host: string) => {
  const server = createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8").on("data", (text: string) => body += text)
    req.on("end", () => {
      res.setHeader("content-type", "application/json")
      if (req.url === "/missing") res.statusCode = 404
      res.end(JSON.stringify({ host, path: req.url, method: req.method, body, token: req.headers["x-token"] ?? null }))
    })
  })
  server.listen(0, host)
  await once(server, "listening")
  servers.push({ server, base: `http://${host}:${(server.address() as AddressInfo).port}` })
}

const inputs = () => [
  ...Array.from({ length: 24 }, (_, i) => `${servers[i % 2]!.base}/item/${i}`),
  `${servers[0]!.base}/missing`,
  "not a url",
  { url: `${servers[1]!.base}/post`, method: "POST" as const, headers: { "x-token": "t1" }, body: "{\"a\":1}" }
]

/** A record without its time: the one field a cluster run and a local one cannot share. */
const timeless = (record: FetchRecord) => {
  const { ms: _ms, ...rest } = record
  return rest
}

const local = <A>(program: Effect.Effect<A, Volley.VolleyError, Volley.Volley>) =>
  Effect.runPromise(program.pipe(Effect.provide(Volley.layer())))

const onCluster = <A, E>(program: Effect.Effect<A, E, Volley.Volley>) =>
  Effect.runPromise(Effect.either(program).pipe(Effect.provide(Volley.layerCluster({ url, env, buckets: 8 }))))

const runCount = async () => Number((await query<{ n: string }>(url, "SELECT count(*) AS n FROM volley_runs"))[0]!.n)

describe.skipIf(!available)("Volley.layerCluster (a volley worker process, PostgreSQL)", () => {
  beforeAll(async () => {
    const stale = staleBundle()
    if (stale !== undefined) throw new Error(stale)
    url = await createDatabase(database)
    await startServer("127.0.0.1")
    await startServer("127.0.0.2")
    const port = await freePort()
    worker = startCli(["worker", "--cluster", url, "--listen", `127.0.0.1:${port}`, "-c", "20"], env)
    await worker.stderrShows("volley worker: ready")
  }, 60_000)

  afterAll(async () => {
    if (worker !== undefined && worker.child.exitCode === null) {
      worker.child.kill("SIGTERM")
      await worker.exit
    }
    for (const { server } of servers) server.close()
    if (url !== "") await dropDatabase(database)
  }, 60_000)

  it("fetchAll, stream and fetchOne: the local layer's records, in input order, every index once", async () => {
    const expected = await local(Effect.flatMap(Volley.Volley, (volley) => volley.fetchAll(inputs())))
    const got = await onCluster(Effect.gen(function*() {
      const volley = yield* Volley.Volley
      const all = yield* volley.fetchAll(inputs())
      const streamed = yield* Stream.runCollect(volley.stream(Stream.fromIterable(inputs())))
      const one = yield* volley.fetchOne(`${servers[1]!.base}/item/1`)
      return { all, streamed: Array.from(streamed), one }
    }))
    expect(got._tag).toBe("Right")
    if (got._tag === "Left") return
    const { all, one, streamed } = got.right
    expect(all.map((r) => r.index)).toEqual(inputs().map((_, i) => i))
    expect(all.map(timeless)).toEqual(expected.map(timeless))
    expect(streamed.map(timeless)).toEqual(expected.map(timeless))
    expect(timeless(one)).toEqual({ ...timeless(expected[1]!), index: 0 })
    // What the records say, so that equal-to-local is not equal-in-emptiness.
    expect(all.filter((r) => r.ok).length).toBe(25)
    expect(all[24]).toMatchObject({ ok: false, status: 404 })
    expect(all[25]).toMatchObject({ ok: false, url: "not a url" })
    expect(all[26]).toMatchObject({ ok: true, body: { method: "POST", body: "{\"a\":1}", token: "t1" } })
    // Three runs: fetchAll, stream, fetchOne — each stored every index once.
    const stored = await query<{ run: string; n: string; distinct_n: string }>(
      url,
      "SELECT run, count(*) AS n, count(DISTINCT idx) AS distinct_n FROM volley_results GROUP BY run ORDER BY run"
    )
    expect(stored.map((row) => Number(row.n)).sort((a, b) => a - b)).toEqual([1, 27, 27])
    expect(stored.every((row) => row.n === row.distinct_n)).toBe(true)
  }, 60_000)

  it(
    "runWorkflow: an execution on the workers, with the local layer's output (a request, then a fan-out over its body)",
    async () => {
      const flow = Effect.flatMap(
        Workflow.make({
          name: "fan",
          vars: { base: servers[0]!.base },
          steps: {
            first: Workflow.request("{{ vars.base }}/first"),
            each: Workflow.forEach("keys(first.body)", `${servers[1]!.base}/key/{{ item }}`, { extract: "path" })
          }
        }).pipe(Effect.orDie),
        (workflow) => Effect.flatMap(Volley.Volley, (volley) => volley.runWorkflow(workflow))
      )
      const expected = await local(flow)
      const got = await onCluster(flow)
      expect(got._tag).toBe("Right")
      if (got._tag === "Left") return
      // A workflow's records carry their headers: all but the server's clock must agree.
      const dateless = (record: FetchRecord) => {
        const { headers, ...rest } = timeless(record) as ReturnType<typeof timeless> & {
          readonly headers?: Readonly<Record<string, unknown>>
        }
        if (headers === undefined) return rest
        const { date: _date, ...kept } = headers
        return { ...rest, headers: kept }
      }
      const shape = (output: typeof expected) =>
        Object.fromEntries(Object.entries(output.steps).map(([name, step]) => [name, stepRecords(step).map(dateless)]))
      expect(shape(got.right)).toEqual(shape(expected))
      expect(Object.keys(got.right.steps)).toEqual(["first", "each"])
      const each = stepRecords(got.right.steps["each"])
      expect(each.map((r) => (r.ok ? r.value : r.error._tag))).toEqual(
        ["host", "path", "method", "body", "token"].map((key) => `/key/${key}`)
      )
    },
    60_000
  )

  it("options the workers cannot honour are refused by name, before anything is submitted", async () => {
    const before = await runCount()
    const refused = await onCluster(Effect.gen(function*() {
      const volley = yield* Volley.Volley
      const reasons: Array<unknown> = []
      const refusedBy = <A, E>(effect: Effect.Effect<A, E>) =>
        Effect.flip(effect).pipe(Effect.map((e) => reasons.push(e)))
      yield* refusedBy(volley.fetchAll(inputs(), { concurrency: 4 }))
      yield* refusedBy(volley.fetchAll(inputs(), { extract: Schema.Struct({ host: Schema.String }) }))
      yield* refusedBy(Stream.runDrain(volley.stream(Stream.fromIterable(inputs()), { failFast: true })))
      yield* refusedBy(volley.fetchOne(inputs()[0] as string, { timings: true }))
      const flow = yield* Workflow.make({
        name: "w",
        steps: { a: { request: { url: `${servers[0]!.base}/a` }, save: "/tmp/volley-never-written" } }
      })
      yield* refusedBy(volley.runWorkflow(flow))
      return reasons
    }))
    expect(refused._tag).toBe("Right")
    if (refused._tag === "Left") return
    expect(refused.right.map((e) => e instanceof ClusterUnsupported ? e.option : e)).toEqual([
      "concurrency",
      "extract",
      "failFast",
      "fetch.timings",
      "save (step 'a')"
    ])
    expect((refused.right[0] as ClusterUnsupported).message).toBe(
      "Volley.layerCluster does not take concurrency: each worker's --concurrency bounds the requests in flight"
    )
    expect(await runCount()).toBe(before)
    // Not a cluster URL: the layer itself fails, in one line.
    const built = await Effect.runPromise(
      Effect.flip(Effect.scoped(Layer.build(Volley.layerCluster({ url: "http://127.0.0.1/db" }))))
    )
    expect(built).toEqual(
      new ClusterError({ message: "Volley.layerCluster: 'http://127.0.0.1/db' is not a postgres:// URL" })
    )
  }, 60_000)

  it("a plain import of the library loads no cluster package; building layerCluster does", () => {
    // A resolve hook reports every module the import resolves; dist/ is the package as published.
    const hook = "data:text/javascript," + encodeURIComponent(
      "export async function resolve(s, c, next) { const r = await next(s, c); " +
        "if (/@effect[\\\\/](cluster|sql-pg|sql|rpc|workflow)[\\\\/]/.test(r.url)) process.stdout.write('loaded ' + r.url + '\\n'); return r }"
    )
    const script = (build: boolean) =>
      `import { register } from "node:module"; register(${JSON.stringify(hook)});` +
      `const { Volley } = await import("./dist/index.js");` +
      (build
        ? `const { Effect, Layer } = await import("effect");` +
          `await Effect.runPromise(Effect.scoped(Effect.either(Layer.build(Volley.layerCluster({ url: ${
            JSON.stringify(url)
          } })))));`
        : "") +
      `process.stdout.write("done\\n")`
    const plain = spawnSync("node", ["--input-type=module", "-e", script(false)], { encoding: "utf8", env })
    expect(plain.stderr).toBe("")
    expect(plain.stdout).toBe("done\n")
    const built = spawnSync("node", ["--input-type=module", "-e", script(true)], { encoding: "utf8", env })
    expect(built.stdout).toMatch(/loaded .*@effect\/cluster/)
    expect(built.stdout).toMatch(/done\n$/)
  }, 60_000)
})
