/**
 * The CLI (in process) checking an API: `--expect-status` instead of the 2xx rule, `--assert`
 * expressions, bad ones refused with exit 2 before anything is sent; the JUnit report of a run
 * read back by a JUnit parser, and its HAR file checked against the HAR 1.2 schema.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { parse, type TestSuites } from "junit2json"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { harErrors } from "../support/HarSchema.js"
import { runInProcess } from "../support/InProcessCli.js"

const records = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line))

layer(NodeContext.layer, { excludeTestServices: true })("checks (in process)", (it) => {
  it.scoped("--expect-status 200,304 takes a 304; --assert passes and fails records; exit codes 0 and 1", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const passing = yield* runInProcess([
        "fetch",
        `${url}/status/304`,
        `${url}/json/3`,
        "--expect-status",
        "200,304",
        "--assert",
        "status == `304` || body.id == `3`",
        "--no-progress"
      ])
      expect(passing.code).toBe(0)
      expect(records(passing.stdout).map((r) => [r.ok, r.status])).toEqual([[true, 304], [true, 200]])

      const failing = yield* runInProcess([
        "fetch",
        `${url}/status/304`,
        `${url}/json/3`,
        `${url}/json/4`,
        "--assert",
        "body.id == `3`",
        "--no-progress"
      ])
      expect(failing.code).toBe(1)
      const [notModified, three, four] = records(failing.stdout)
      // Without --expect-status a 304 is not a success (the 2xx rule).
      expect(notModified).toMatchObject({ ok: false, status: 304, error: { _tag: "StatusError" } })
      expect(three).toMatchObject({ ok: true, status: 200 })
      expect(four).toMatchObject({
        ok: false,
        status: 200,
        error: { _tag: "AssertionError", message: "assertion failed: body.id == `3` (body.id is 4)" }
      })
      expect(failing.stderr).toContain("3 done: 1 ok, 2 failed (StatusError 1, AssertionError 1)")
    }))

  it.scoped("a bad status list or expression exits 2 with one line, before any request", () =>
    Effect.gen(function*() {
      const { stats, url } = yield* startDemoServer()
      const badList = yield* runInProcess(["fetch", `${url}/json/1`, "--expect-status", "200,2x0"])
      expect(badList.code).toBe(2)
      expect(badList.stderr.trim()).toBe(
        "volley: --expect-status: '2x0' is not a status code, a class such as 2xx, or a range such as 200-299"
      )
      const badAssert = yield* runInProcess(["fetch", `${url}/json/1`, "--assert", "body.id =="])
      expect(badAssert.code).toBe(2)
      expect(badAssert.stderr.trim()).toMatch(/^volley: --assert: invalid JMESPath expression 'body.id ==': /)
      expect(stats.snapshot().requests).toBe(0)
    }))

  it.scoped("--assert … --format junit -o report.xml: one test case per URL, failures named, exit 1", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const result = yield* runInProcess([
        "fetch",
        `${url}/json/{1..3}`,
        `${url}/status/500`,
        "--assert",
        "body.id != `2`",
        "--retries",
        "0",
        "--format",
        "junit",
        "-o",
        `${dir}/report.xml`,
        "--no-progress"
      ])
      expect(result.code).toBe(1)
      expect(result.stdout).toBe("")
      const xml = yield* fs.readFileString(`${dir}/report.xml`)
      const report = (yield* Effect.promise(() => parse(xml))) as TestSuites
      expect(report).toMatchObject({ tests: 4, failures: 2 })
      const cases = report.testsuite![0]!.testcase!
      expect(cases.map((c) => c.name)).toEqual([
        `0: ${url}/json/1`,
        `1: ${url}/json/2`,
        `2: ${url}/json/3`,
        `3: ${url}/status/500`
      ])
      expect(cases.map((c) => c.failure?.[0]?.type)).toEqual([undefined, "AssertionError", undefined, "StatusError"])
      expect(cases[1]!.failure![0]!.message).toBe("assertion failed: body.id != `2` (body.id is 2)")
      // No temporary file is left beside the report.
      expect(yield* fs.readDirectory(dir)).toEqual(["report.xml"])
    }))

  it.scoped("--format har: a HAR 1.2 file with headers (secrets redacted) and bodies, valid against the schema", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const result = yield* runInProcess([
        "fetch",
        `${url}/json/1?x=1`,
        `${url}/status/404`,
        "-H",
        "Authorization: Bearer top-secret",
        "-H",
        "X-Team-Key: team-secret",
        "--secret-header",
        "X-Team-Key",
        "--retries",
        "0",
        "--format",
        "har",
        "-o",
        `${dir}/run.har`,
        "--no-progress"
      ])
      expect(result.code).toBe(1)
      const text = yield* fs.readFileString(`${dir}/run.har`)
      expect(text).not.toMatch(/top-secret|team-secret/)
      const har = JSON.parse(text)
      expect(harErrors(har)).toEqual([])
      const [one, missing] = har.log.entries
      expect(one).toMatchObject({
        request: {
          method: "GET",
          url: `${url}/json/1?x=1`,
          queryString: [{ name: "x", value: "1" }],
          headers: expect.arrayContaining([
            { name: "Authorization", value: "<redacted>" },
            { name: "X-Team-Key", value: "<redacted>" }
          ])
        },
        response: {
          status: 200,
          statusText: "OK",
          headers: expect.arrayContaining([{ name: "content-type", value: "application/json" }]),
          content: { mimeType: "application/json", text: "{\"id\":1,\"ok\":true}", size: 18 }
        },
        _volley: { index: 0, ok: true, attempts: 1 }
      })
      expect(missing).toMatchObject({
        response: { status: 404 },
        _volley: { ok: false, error: { _tag: "StatusError" } }
      })
    }))
})
