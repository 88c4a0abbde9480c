/**
 * The built CLI checking an API: `--expect-status` instead of the 2xx rule, `--assert`
 * expressions, bad ones refused with exit 2 before anything is sent.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { runCli } from "../support/CliProcess.js"

const records = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line))

layer(NodeContext.layer, { excludeTestServices: true })("checks (built CLI)", (it) => {
  it.scoped("--expect-status 200,304 takes a 304; --assert passes and fails records; exit codes 0 and 1", () =>
    Effect.gen(function*() {
      const { url } = yield* startDemoServer()
      const passing = yield* runCli([
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

      const failing = yield* runCli([
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
      const badList = yield* runCli(["fetch", `${url}/json/1`, "--expect-status", "200,2x0"])
      expect(badList.code).toBe(2)
      expect(badList.stderr.trim()).toBe(
        "volley: --expect-status: '2x0' is not a status code, a class such as 2xx, or a range such as 200-299"
      )
      const badAssert = yield* runCli(["fetch", `${url}/json/1`, "--assert", "body.id =="])
      expect(badAssert.code).toBe(2)
      expect(badAssert.stderr.trim()).toMatch(/^volley: --assert: invalid JMESPath expression 'body.id ==': /)
      expect(stats.snapshot().requests).toBe(0)
    }))
})
