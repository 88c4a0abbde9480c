/**
 * Limits are checked before anything is sent: a concurrency past the cap, a zero time-out, a
 * header that cannot be sent are set-up errors (exit 2, no request); port 0 is `InvalidUrl`; a
 * concurrency over the open-file limit is warned about, and EMFILE costs no record.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "../support/CliProcess.js"
import { jsonAfter, startLoopbackServer } from "../support/LoopbackServer.js"

const records = (text: string) =>
  text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>)

layer(NodeContext.layer, { excludeTestServices: true })("limits (built CLI)", (it) => {
  it.scoped("bad limits and headers exit 2 with one line, before any request", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      const url = `${server.url}/x`
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["-c", "1e9"], "--concurrency"],
        [["-c", "50000000"], "--concurrency: must be at most 10000, got 50000000"],
        [["--timeout", "0"], "--timeout: must be more than 0"],
        [["-H", "X-Token: a\r\nX-Injected: b"], "--header: the value of 'X-Token' holds a CR"],
        [["-H", "X-Token: a\nb"], "holds a LF"],
        [["-H", "Bad Name: v"], "is not a header name"],
        [["-H", "X(y): v"], "is not a header name (RFC 9110 token)"]
      ]
      for (const [flags, message] of cases) {
        const result = yield* runCli(["fetch", url, "--no-progress", ...flags])
        expect(result.code, flags.join(" ")).toBe(2)
        expect(result.stderr).toContain(message)
        expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/)
        // The secret value is never echoed.
        expect(result.stderr).not.toContain("X-Injected")
      }
      expect(server.hits()).toBe(0)
      const envCap = yield* runCli(["fetch", url], { env: { VOLLEY_CONCURRENCY: "20000" } })
      expect(envCap.code).toBe(2)
    }))

  it.scoped("port 0 is InvalidUrl, never sent", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["fetch", "http://127.0.0.1:0/x", "http://127.0.0.1:99999/x", "--no-progress"])
      expect(result.code).toBe(1)
      expect(records(result.stdout).map((r) => (r["error"] as { _tag: string })._tag)).toEqual([
        "InvalidUrl",
        "InvalidUrl"
      ])
      expect(records(result.stdout).map((r) => r["attempts"])).toEqual([0, 0])
    }))

  it.scoped("over the open-file limit: a warning at start, the run held to what the limit allows, no record lost", () =>
    Effect.gen(function*() {
      // Each answer takes a while, so 200 connections would be open at once under a limit of 100.
      const server = yield* startLoopbackServer(jsonAfter(100))
      const result = yield* runCli([
        "-c",
        `ulimit -n 100 && exec node bin/volley.js fetch '${server.url}/r/{1..600}' -c 200 --no-progress --no-body`
      ], { command: "sh" })
      expect(result.stderr).toContain(
        "warning: --concurrency 200 is more than the open-file limit allows (ulimit -n 100)"
      )
      expect(result.code).toBe(0)
      const all = records(result.stdout)
      expect(all.length).toBe(600)
      expect(all.every((r) => r["ok"] === true && r["attempts"] === 1)).toBe(true)
      expect(server.hits()).toBe(600)
    }))
})
