/**
 * The CLI (in process) against the demo API's `/limited` endpoint on loopback, which announces
 * its budget in `RateLimit-*` headers: with default settings nothing is lost.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { runInProcess } from "../support/InProcessCli.js"

const records = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line) as { ok: boolean })

layer(NodeContext.layer, { excludeTestServices: true })("pacing to announced limits (in process)", (it) => {
  it.scoped(
    "/limited/x1?rate=20&n={1..100} at -c 32: every record ok, plain and --adaptive",
    () =>
      Effect.gen(function*() {
        const { url } = yield* startDemoServer()
        for (const [key, extra] of [["plain", []], ["adaptive", ["--adaptive"]]] as const) {
          const result = yield* runInProcess([
            "fetch",
            `${url}/limited/${key}?rate=20&n={1..100}`,
            "-c",
            "32",
            ...extra
          ])
          expect(result.code).toBe(0)
          const lines = records(result.stdout)
          expect(lines).toHaveLength(100)
          expect(lines.filter((r) => !r.ok)).toEqual([])
        }
      }),
    60_000
  )
})
