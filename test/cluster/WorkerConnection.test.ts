/**
 * With `--cluster` the workers make the connections: `volley worker` takes the connection flags
 * (here `--cacert`, to reach a loopback HTTPS server whose CA the test makes), and a submitter
 * given them exits 2 naming them instead of dropping them silently. A worker whose flag is bad
 * exits 2 before it joins. Its own database, created and dropped here; waits are on output.
 */
import { once } from "node:events"
import { createServer, type Server } from "node:https"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { staleBundle } from "../support/CliProcess.js"
import { createDatabase, dropDatabase, postgresFor } from "../support/ClusterDatabase.js"
import { clusterEnv, freePort, type Running, startCli } from "../support/ClusterProcess.js"
import { testCerts } from "../support/TestCerts.js"

const env = clusterEnv
const available = postgresFor("test/cluster/WorkerConnection.test.ts")

const database = `volley_test_workerconn_${process.pid}`
let url = ""
let worker: Running | undefined
let server: Server | undefined
let base = ""

describe.skipIf(!available)("cluster connections are the workers' (built CLI)", () => {
  beforeAll(async () => {
    const stale = staleBundle()
    if (stale !== undefined) throw new Error(stale)
    url = await createDatabase(database)
    const certs = testCerts()
    server = createServer({ cert: certs.serverCert, key: certs.serverKey }, (req, res) => {
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify({ path: req.url }))
    })
    server.listen(0, "127.0.0.1")
    await once(server, "listening")
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    const port = await freePort()
    worker = startCli(
      ["worker", "--cluster", url, "--listen", `127.0.0.1:${port}`, "--cacert", join(certs.dir, "ca.pem")],
      env
    )
    await worker.stderrShows("volley worker: ready")
  }, 60_000)

  afterAll(async () => {
    if (worker !== undefined && worker.child.exitCode === null) {
      worker.child.kill("SIGTERM")
      await worker.exit
    }
    server?.close()
    if (url !== "") await dropDatabase(database)
  }, 60_000)

  it("a worker started with --cacert fetches from a server that CA signed", async () => {
    const submit = startCli(["fetch", `${base}/a`, `${base}/b`, "--cluster", url, "--no-progress"], env)
    expect(await submit.exit, submit.stderr()).toBe(0)
    const records = submit.stdout().trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records).toMatchObject([
      { index: 0, ok: true, status: 200, body: { path: "/a" } },
      { index: 1, ok: true, status: 200, body: { path: "/b" } }
    ])
  }, 60_000)

  it(
    "the submitter refuses connection flags by name (they are the workers'); a worker's bad flag exits 2 before it joins",
    async () => {
      const submit = startCli(["fetch", `${base}/a`, "--cluster", url, "-k", "--http2"], env)
      expect(await submit.exit).toBe(2)
      expect(submit.stderr().trim()).toBe(
        "volley: --cluster: the workers make the connections; give --insecure, --http2 to volley worker"
      )
      const port = await freePort()
      const bad = startCli(["worker", "--cluster", url, "--listen", `127.0.0.1:${port}`, "--cacert", "/no/ca.pem"], env)
      expect(await bad.exit).toBe(2)
      expect(bad.stderr().trim()).toBe("volley: --cacert /no/ca.pem: cannot read the file")
    },
    60_000
  )
})
