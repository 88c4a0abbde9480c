/**
 * Limits are checked before anything is sent: a concurrency past the cap, a zero time-out, a
 * header that cannot be sent are set-up errors (exit 2, no request); port 0 is `InvalidUrl`. (The
 * open-file limit needs a process of its own: BuiltCli.test.ts.)
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "../support/InProcessCli.js"
import { jsonAfter, startLoopbackServer } from "../support/LoopbackServer.js"

const records = (text: string) =>
  text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>)

layer(NodeContext.layer, { excludeTestServices: true })("limits (in process)", (it) => {
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
        const result = yield* runInProcess(["fetch", url, "--no-progress", ...flags])
        expect(result.code, flags.join(" ")).toBe(2)
        expect(result.stderr).toContain(message)
        expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/)
        // The secret value is never echoed.
        expect(result.stderr).not.toContain("X-Injected")
      }
      expect(server.hits()).toBe(0)
      const envCap = yield* runInProcess(["fetch", url], { env: { VOLLEY_CONCURRENCY: "20000" } })
      expect(envCap.code).toBe(2)
    }))

  it.scoped("port 0 is InvalidUrl, never sent", () =>
    Effect.gen(function*() {
      const result = yield* runInProcess(["fetch", "http://127.0.0.1:0/x", "http://127.0.0.1:99999/x", "--no-progress"])
      expect(result.code).toBe(1)
      expect(records(result.stdout).map((r) => (r["error"] as { _tag: string })._tag)).toEqual([
        "InvalidUrl",
        "InvalidUrl"
      ])
      expect(records(result.stdout).map((r) => r["attempts"])).toEqual([0, 0])
    }))
})
