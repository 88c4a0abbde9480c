/**
 * The CLI (in process) against the hostile loopback server: one bad answer fails one record,
 * the run goes on, and every output format stays valid.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { hostileCases, startHostileServer } from "../support/HostileServer.js"
import { runInProcess } from "../support/InProcessCli.js"

layer(NodeContext.layer, { excludeTestServices: true })("volley fetch against hostile answers", (it) => {
  it.scoped(
    "a 200,000-deep JSON body among 1,000 URLs: 1,000 records, that one a DecodeError, exit 1",
    () =>
      Effect.gen(function*() {
        const base = yield* startHostileServer
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const urls = Array.from({ length: 1000 }, (_, i) => i === 500 ? `${base}/deep-json` : `${base}/ok/${i}`)
        yield* fs.writeFileString(`${dir}/urls.txt`, urls.join("\n") + "\n")
        const result = yield* runInProcess(["fetch", "-i", `${dir}/urls.txt`, "-c", "16", "-o", `${dir}/out.ndjson`])
        expect(result.code).toBe(1)
        expect(result.stderr).toContain("1000 done: 999 ok, 1 failed (DecodeError 1)")
        const lines = (yield* fs.readFileString(`${dir}/out.ndjson`)).trimEnd().split("\n")
        expect(lines).toHaveLength(1000)
        const records = lines.map((line) => JSON.parse(line))
        expect(records.map((r) => r.index)).toEqual(urls.map((_, i) => i))
        expect(records[500].error).toEqual({
          _tag: "DecodeError",
          message: "JSON nested deeper than 512 levels (--max-json-depth)"
        })
        expect(records[499].body).toEqual({ n: 499 })
      }),
    60_000
  )

  it.scoped(
    "every hostile case, in every format: one record each, as the case says, and valid output",
    () =>
      Effect.gen(function*() {
        const base = yield* startHostileServer
        // A case that pauses its host gets a server (a host) of its own.
        const own = yield* Effect.forEach(hostileCases, (c) => c.ownHost ? startHostileServer : Effect.succeed(base))
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const urls = hostileCases.map((c, i) => own[i] + c.path)
        const args = ["fetch", ...urls, "--retries", "1", "--backoff", "1ms", "--timeout", "5s"]
        const ndjson = yield* runInProcess([...args, "-o", `${dir}/out.ndjson`])
        expect(ndjson.stderr).not.toContain("internal error")
        expect(ndjson.code).toBe(1)
        const text = yield* fs.readFileString(`${dir}/out.ndjson`)
        const lines = text.trimEnd().split("\n")
        expect(lines).toHaveLength(hostileCases.length)
        const records = lines.map((line) => JSON.parse(line))
        expect(records.map((r) => r.ok ? "ok" : r.error._tag)).toEqual(hostileCases.map((c) => c.expect))
        const at = (path: string) => lines[hostileCases.findIndex((c) => c.path === path)]!
        expect(at("/big-integer")).toContain(`"body":{"id":9223372036854775808}`)
        expect(at("/huge-number")).toContain(`"body":[1${"0".repeat(5_000_000)}]`)
        expect(at("/pretty-json")).toContain(`"body":{  "a": "x\\u2028y",  "lone": "\\ud800",  "n": 1.50}`)

        const json = yield* runInProcess([...args, "--format", "json", "-o", `${dir}/out.json`])
        expect(json.code).toBe(1)
        const array = JSON.parse(yield* fs.readFileString(`${dir}/out.json`))
        expect(array).toHaveLength(hostileCases.length)

        const csv = yield* runInProcess([...args, "--format", "csv", "-e", "id", "-o", `${dir}/out.csv`])
        expect(csv.stderr).not.toContain("internal error")
        const csvText = yield* fs.readFileString(`${dir}/out.csv`)
        expect(csvText.startsWith("index,url,ok,status,attempts,ms,value,error,bodyEncoding\n")).toBe(true)
        expect(csvText).toContain(",9223372036854775808,")
      }),
    60_000
  )
})
