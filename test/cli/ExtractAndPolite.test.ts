/**
 * The CLI (in process) against the embedded demo API: extraction on real bodies, invalid
 * extractors refused before anything is sent, and the limits held as the server counts them.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { runInProcess } from "../support/InProcessCli.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

const records = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line))

layer(NodeContext.layer, { excludeTestServices: true })("extraction and politeness (in process)", (it) => {
  it.scoped("--select, --match-all, --schema and a plain-text body under --extract", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const select = yield* runInProcess(["fetch", `${url}/numbers?count=4`, "--select", "pre.data", "--no-body"])
      expect(records(select.stdout)[0].value).toBe("12\n49\n86\n23")
      const attr = yield* runInProcess([
        "fetch",
        `${url}/numbers`,
        "--select",
        "a.more",
        "--select-attr",
        "href",
        "--no-body"
      ])
      expect(records(attr.stdout)[0].value).toBe("/numbers?count=15")
      const all = yield* runInProcess([
        "fetch",
        `${url}/numbers?count=3`,
        "--match",
        "(?<n>\\d+)$",
        "--match-all",
        "--no-body"
      ])
      expect(records(all.stdout)[0].value).toEqual([{ n: "12" }, { n: "49" }, { n: "86" }])
      const empty = yield* runInProcess(["fetch", `${url}/text`, "--select", "pre.data"])
      expect(empty.code).toBe(1)
      expect(records(empty.stdout)[0].error).toEqual({
        _tag: "ExtractError",
        message: "selector 'pre.data' matched nothing"
      })

      const fs = yield* FileSystem.FileSystem
      const schema = `${yield* fs.makeTempDirectoryScoped()}/fact.json`
      yield* fs.writeFileString(schema, JSON.stringify({ type: "object", properties: { page: { type: "string" } } }))
      const checked = yield* runInProcess(["fetch", `${url}/facts/1`, "--schema", schema])
      expect(records(checked.stdout)[0].error.message).toBe(`body does not fit ${schema} at /page: must be string`)

      // Two at once: the server refuses one, in plain text; the record says so.
      const rushed = yield* runInProcess([
        "fetch",
        `${url}/limited/a?rate=1`,
        `${url}/limited/a?rate=1`,
        "-e",
        "n",
        "--retries",
        "0",
        "-c",
        "2"
      ])
      const refused = records(rushed.stdout).find((r) => !r.ok)
      expect(refused.status).toBe(429)
      expect(refused.error._tag).toBe("StatusError")
      expect(refused.body).toBe("Too many requests. Slow down!")
      // One at a time: the first answer's RateLimit headers pause the host, so nothing is refused.
      const paced = yield* runInProcess([
        "fetch",
        `${url}/limited/b?rate=1`,
        `${url}/limited/b?rate=1`,
        "-e",
        "n",
        "--retries",
        "0",
        "-c",
        "1"
      ])
      expect(records(paced.stdout).map((r) => [r.ok, r.value])).toEqual([[true, 1], [true, 1]])
    }))

  it.scoped("an invalid selector, pattern or schema exits 2 and sends nothing", () =>
    Effect.gen(function*() {
      const server = yield* startDemoServer()
      const target = `${server.url}/numbers`
      for (
        const [args, message] of [
          [["--select", "p["], /^volley: --select: invalid CSS selector 'p\[': /],
          [["--match", "("], /^volley: --match: invalid regular expression '\(': /],
          [["--schema", "/no/such/schema.json"], /^volley: --schema \/no\/such\/schema\.json: cannot read the file$/],
          [["--extract", "a", "--select", "p"], /^volley: use only one of --extract, --select, --match$/]
        ] as const
      ) {
        const result = yield* runInProcess(["fetch", target, ...args])
        expect(result.code).toBe(2)
        expect(result.stderr.trim()).toMatch(message)
      }
      expect(server.stats.snapshot().requests).toBe(0)
    }))

  it.scoped("--rate and --per-host hold, as the server counts them", () =>
    Effect.gen(function*() {
      const server = yield* startDemoServer()
      const rated = yield* runInProcess(["fetch", `${server.url}/json/{1..24}`, "--rate", "8", "-c", "24", "--no-body"])
      expect(rated.code).toBe(0)
      expect(server.stats.snapshot().maxPerSecond).toBeLessThanOrEqual(8)
      // Each answer waits until two are in flight at once: a run held to --per-host 2 reaches it
      // at any machine speed (and one that could not would never end), so the peak is exact.
      let inFlight = 0
      let most = 0
      let full: () => void = () => {}
      const twoInFlight = new Promise<void>((resolve) => full = resolve)
      const counting = yield* startLoopbackServer((_req, res) => {
        inFlight++
        most = Math.max(most, inFlight)
        if (inFlight >= 2) full()
        void twoInFlight.then(() => {
          inFlight--
          res.writeHead(200, { "content-type": "application/json" }).end("{}")
        })
      })
      const perHost = yield* runInProcess([
        "fetch",
        `${counting.url}/json/{1..12}`,
        "--per-host",
        "2",
        "-c",
        "12",
        "--no-body"
      ])
      expect(perHost.code).toBe(0)
      expect(counting.hits()).toBe(12)
      expect(most).toBe(2)
    }))
})
