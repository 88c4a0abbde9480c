/**
 * `volley fetch` cookies, in process against a loopback server: none kept unless asked; `-b
 * 'a=b'` as a header; `--cookie-jar FILE` keeps the run's cookies (redirect hops included) and
 * saves them in curl's Netscape format, which curl reads back, and a jar curl wrote is read by `-b`.
 */
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { runInProcess } from "../support/InProcessCli.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

const handler = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === "/login") {
    return res.writeHead(302, { location: "/home", "set-cookie": "session=abc; Path=/; HttpOnly" }).end()
  }
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify({ path: req.url, cookie: req.headers.cookie ?? null }))
}

const cookiesSent = (stdout: string) =>
  stdout.trim().split("\n").map((line) => (JSON.parse(line) as { body: { cookie: string | null } }).body.cookie)

layer(NodeContext.layer, { excludeTestServices: true })("volley fetch cookies (in process)", (it) => {
  it.scoped("no jar by default; -b 'a=b' is a header; --cookie-jar keeps, saves and reloads", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(handler)
      const dir = yield* fs.makeTempDirectoryScoped()
      const jar = `${dir}/jar.txt`
      const plain = yield* runInProcess(["fetch", `${server.url}/login`, `${server.url}/me`, "-c", "1"])
      expect(cookiesSent(plain.stdout)).toEqual([null, null])
      const literal = yield* runInProcess(["fetch", `${server.url}/me`, "-b", "x=1; y=2"])
      expect(cookiesSent(literal.stdout)).toEqual(["x=1; y=2"])
      const kept = yield* runInProcess([
        "fetch",
        `${server.url}/login`,
        `${server.url}/me`,
        "-c",
        "1",
        "--cookie-jar",
        jar
      ])
      expect(kept.code).toBe(0)
      // The redirect hop's cookie was sent to its target, then to the next input.
      expect(cookiesSent(kept.stdout)).toEqual(["session=abc", "session=abc"])
      const text = yield* fs.readFileString(jar)
      expect(text).toMatch(/^# Netscape HTTP Cookie File/)
      expect(text).toContain("#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc")
      const again = yield* runInProcess(["fetch", `${server.url}/me`, "-b", jar])
      expect(cookiesSent(again.stdout)).toEqual(["session=abc"])
      const missing = yield* runInProcess(["fetch", `${server.url}/me`, "-b", `${dir}/nope.txt`])
      expect(missing.code).toBe(2)
    }))

  it.scoped("curl reads volley's jar, and volley reads curl's", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const server = yield* startLoopbackServer(handler)
      const dir = yield* fs.makeTempDirectoryScoped()
      const ours = `${dir}/ours.txt`
      const theirs = `${dir}/theirs.txt`
      yield* runInProcess(["fetch", `${server.url}/login`, "--cookie-jar", ours])
      const curlSent = yield* Command.string(Command.make("curl", "-s", "-b", ours, `${server.url}/me`))
      expect(JSON.parse(curlSent).cookie).toBe("session=abc")
      yield* Command.exitCode(Command.make("curl", "-s", "-L", "-c", theirs, `${server.url}/login`))
      const read = yield* runInProcess(["fetch", `${server.url}/me`, "-b", theirs])
      expect(cookiesSent(read.stdout)).toEqual(["session=abc"])
    }))
})
