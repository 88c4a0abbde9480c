/**
 * `volley fetch --save-dir`: bodies saved to files as curl would write them (compared byte for
 * byte), `--save-name`, `--resume` keeping saved inputs (in process; a run killed in the middle of
 * a body is in Stop.test.ts).
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { runInProcess } from "../support/InProcessCli.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

const bytesOf = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256))

const files = (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? "/", "http://x")
  const n = Number(url.searchParams.get("n") ?? "100")
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(n) })
  res.end(bytesOf(n, url.pathname.length))
}

const records = (text: string) => text.trim().split("\n").map((line) => JSON.parse(line))

layer(NodeContext.layer, { excludeTestServices: true })("volley fetch --save-dir", (it) => {
  it.scoped("bodies to files, the records say where; --save-name; --resume does not fetch them again", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(files)
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/out.ndjson`
      const save = `${dir}/files`
      const urls = [`${server.url}/a/data.bin?n=70000`, `${server.url}/b/data.bin?n=10`]
      const result = yield* runInProcess(["fetch", ...urls, "--save-dir", save, "-o", out, "--no-progress"])
      expect(result.code).toBe(0)
      const saved = records(yield* fs.readFileString(out))
      expect(saved.map((r) => [r.file, r.bytes])).toEqual([[`${save}/0-data.bin`, 70000], [`${save}/1-data.bin`, 10]])
      for (const [i, n] of [[0, 70000], [1, 10]] as const) {
        const bytes = Buffer.from(yield* fs.readFile(`${save}/${i}-data.bin`))
        expect(Buffer.compare(bytes, bytesOf(n, `/${i === 0 ? "a" : "b"}/data.bin`.length))).toBe(0)
        expect(saved[i].sha256).toBe(createHash("sha256").update(bytes).digest("hex"))
        expect(saved[i]).not.toHaveProperty("body")
      }
      const hits = server.hits()
      const again = yield* runInProcess(["fetch", ...urls, "--save-dir", save, "-o", out, "--resume", "--no-progress"])
      expect(again.code).toBe(0)
      expect(server.hits()).toBe(hits)
      const named = yield* runInProcess([
        "fetch",
        ...urls,
        "--save-dir",
        `${dir}/named`,
        "--save-name",
        "{host}-{name}",
        "--no-progress"
      ])
      expect(records(named.stdout).map((r) => r.file)).toEqual([
        `${dir}/named/127.0.0.1-data.bin`,
        `${dir}/named/127.0.0.1-data-1.bin`
      ])
      const bad = yield* runInProcess(["fetch", urls[0]!, "--save-dir", dir, "--save-name", "{nope}"])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain("unknown placeholder {nope}")
    }))

  it.scoped("--resume with --save-dir alone: an input whose file is there is not fetched; names as the first run gave", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(files)
      const dir = yield* fs.makeTempDirectoryScoped()
      const save = `${dir}/files`
      // Two inputs share a name: the second gets -INDEX, on the first run and on the resumed one.
      const urls = [`${server.url}/a/data.bin?n=30`, `${server.url}/b/data.bin?n=40`, `${server.url}/c/x.bin?n=50`]
      const args = ["fetch", ...urls, "--save-dir", save, "--save-name", "{host}-{name}", "--no-progress"]
      const first = yield* runInProcess(args)
      expect(first.code).toBe(0)
      const names = records(first.stdout).map((r) => r.file)
      expect(names).toEqual([`${save}/127.0.0.1-data.bin`, `${save}/127.0.0.1-data-1.bin`, `${save}/127.0.0.1-x.bin`])
      // The second file lost; a torn temporary of the third does not count as missing or whole.
      yield* fs.remove(names[1])
      yield* fs.writeFileString(`${names[1]}.volley-part`, "torn")
      const hits = server.hits()
      const resumed = yield* runInProcess([...args, "--resume"])
      expect(resumed.code).toBe(0)
      expect(resumed.stderr).toContain(`resuming: inputs whose file is in ${save} are skipped`)
      expect(server.hits()).toBe(hits + 1)
      expect(records(resumed.stdout).map((r) => [r.index, r.file, r.bytes])).toEqual([[1, names[1], 40]])
      expect(Buffer.compare(Buffer.from(yield* fs.readFile(names[1])), bytesOf(40, "/b/data.bin".length))).toBe(0)
      const refused = yield* runInProcess([...args, "--resume", "--retry-failed"])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/--retry-failed needs --output: with --save-dir alone/)
    }))
})
