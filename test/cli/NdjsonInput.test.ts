/**
 * `volley fetch --input-format ndjson`, in process against a loopback echo server: a request per
 * line with its own method, headers and body; a bad line is a failed record, the rest go on.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { runInProcess } from "../support/InProcessCli.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

/** Answers with what it got: method, path, content type, body. */
const echo = (req: IncomingMessage, res: ServerResponse) => {
  let body = ""
  req.setEncoding("utf8")
  req.on("data", (chunk: string) => (body += chunk))
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify({ method: req.method, path: req.url, type: req.headers["content-type"] ?? null, body }))
  })
}

layer(NodeContext.layer, { excludeTestServices: true })("volley fetch --input-format ndjson (in process)", (it) => {
  it.scoped("each line's method, headers and body are sent; ids copied; a bad line fails alone", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(echo)
      const dir = yield* fs.makeTempDirectoryScoped()
      const file = `${dir}/requests.ndjson`
      yield* fs.writeFileString(
        file,
        [
          JSON.stringify({ url: `${server.url}/items`, json: { name: "a" }, id: "a" }),
          JSON.stringify({
            url: `${server.url}/items/2`,
            method: "PUT",
            body: "raw",
            headers: { "Content-Type": "text/x" }
          }),
          "{not json",
          JSON.stringify({ url: `${server.url}/plain/{1..3}` })
        ].join("\n") + "\n"
      )
      const result = yield* runInProcess(["fetch", "--input-format", "ndjson", "-i", file, "--no-progress"])
      expect(result.code).toBe(1)
      const records = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
      expect(records).toHaveLength(4)
      expect(records[0]).toMatchObject({
        index: 0,
        ok: true,
        id: "a",
        body: { method: "POST", path: "/items", type: "application/json", body: "{\"name\":\"a\"}" }
      })
      expect(records[1]).toMatchObject({ ok: true, body: { method: "PUT", type: "text/x", body: "raw" } })
      expect(records[2]).toMatchObject({ index: 2, ok: false, attempts: 0, error: { _tag: "InvalidInputLine" } })
      expect(records[2].error.message).toMatch(/^input line 3: not JSON/)
      // Ranges are not expanded in an NDJSON line: the braces are sent, percent-encoded.
      expect(records[3]).toMatchObject({ ok: true, body: { method: "GET", path: "/plain/%7B1..3%7D" } })
    }))
})
