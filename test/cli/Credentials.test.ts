/**
 * `volley fetch` with credentials, in process against a loopback server that wants Basic auth:
 * URL userinfo, `--netrc-file`, `-u`; no password in records, retry lines, dry runs or the
 * `--resume` file.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { runInProcess } from "../support/InProcessCli.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

const wanted = `Basic ${Buffer.from("user:hunter2").toString("base64")}`

/** 200 with the right Basic auth, 401 without; `/flaky` is 503 the first time. */
const guarded = () => {
  let flaky = 0
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === "/flaky" && flaky++ === 0) return res.writeHead(503).end()
    if (req.headers.authorization !== wanted) return res.writeHead(401, { "www-authenticate": "Basic" }).end()
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ path: req.url }))
  }
}

const records = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line))

layer(NodeContext.layer, { excludeTestServices: true })("volley fetch credentials (in process)", (it) => {
  it.scoped("user:password@ in the URL is sent and never printed, even in retry lines", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(guarded())
      const url = server.url.replace("http://", "http://user:hunter2@")
      const result = yield* runInProcess(["fetch", `${url}/a`, `${url}/flaky`, "-v", "--backoff", "1ms"])
      expect(result.code).toBe(0)
      expect(records(result.stdout).map((r) => [r.url, r.status])).toEqual([
        [`${server.url}/a`, 200],
        [`${server.url}/flaky`, 200]
      ])
      expect(result.stderr).toContain("retry 2/4")
      expect(result.stdout + result.stderr).not.toContain("hunter2")
      const dry = yield* runInProcess(["fetch", `${url}/a`, "--dry-run"])
      expect(dry.stdout).toContain(`GET ${server.url}/a`)
      expect(dry.stdout).not.toContain("hunter2")
    }))

  it.scoped("--netrc-file gives the login; a missing file is a usage error", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(guarded())
      const dir = yield* fs.makeTempDirectoryScoped()
      const netrc = `${dir}/netrc`
      yield* fs.writeFileString(netrc, "machine 127.0.0.1\n  login user\n  password hunter2\n")
      const ok = yield* runInProcess(["fetch", `${server.url}/n`, "--netrc-file", netrc])
      expect(ok.code).toBe(0)
      expect(records(ok.stdout)[0]).toMatchObject({ ok: true, status: 200 })
      const without = yield* runInProcess(["fetch", `${server.url}/n`, "--retries", "0"])
      expect(records(without.stdout)[0]).toMatchObject({ ok: false, status: 401 })
      const missing = yield* runInProcess(["fetch", `${server.url}/n`, "--netrc-file", `${dir}/nope`])
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain("--netrc-file")
    }))

  it.scoped("--resume matches inputs with credentials to their stored records (no password in the file)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(guarded())
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/out.ndjson`
      const url = server.url.replace("http://", "http://user:hunter2@")
      const first = yield* runInProcess(["fetch", `${url}/1`, "-o", out])
      expect(first.code).toBe(0)
      const hits = server.hits()
      const again = yield* runInProcess(["fetch", `${url}/1`, `${url}/2`, "-o", out, "--resume"])
      expect(again.code).toBe(0)
      expect(server.hits()).toBe(hits + 1)
      const text = yield* fs.readFileString(out)
      expect(records(text).map((r) => r.url)).toEqual([`${server.url}/1`, `${server.url}/2`])
      expect(text).not.toContain("hunter2")
    }))
})
