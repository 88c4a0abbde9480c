/**
 * Signals, on the built CLI (a process of its own; each start checks first that the bundle is
 * newer than the source). Stopping is prompt whatever the input size: on a range of a billion
 * URLs the first SIGINT or SIGTERM stops sending, lets what is in flight finish and exits 130 with
 * a summary, well within a grace period that is made far longer than the test may take (so the
 * exit is the finished requests', never the grace timer's); a second signal exits at once,
 * leaving no lock behind. Ctrl-C in the middle of a run leaves whole records, and `--resume`
 * (in process) completes the file without fetching anything twice; SIGKILL in the middle of a
 * body leaves no file under the final name. The tests wait on output and events, never on
 * sleeps, and measure no time.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Deferred, Effect, FiberId, Schedule, Stream } from "effect"
import type { ServerResponse } from "node:http"
import { startCli } from "../support/CliProcess.js"
import { runInProcess } from "../support/InProcessCli.js"
import { jsonAfter, startLoopbackServer } from "../support/LoopbackServer.js"

/** Far longer than a test may run: a run that exits after the first signal finished its requests. */
const endlessGrace = { VOLLEY_GRACE: "10m" }

const countLines = (text: string) => text.split("\n").filter((l) => l !== "").length

/** Starts the CLI and reads its output as it comes: the first stdout line, and stderr's text. */
const startWatched = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const child = yield* startCli(args, env)
    const firstLine = yield* Deferred.make<void>()
    let errors = ""
    const waiting: Array<{ readonly text: string; readonly seen: Deferred.Deferred<void> }> = []
    // Both streams are drained to the end: a child blocked on a full pipe could not stop.
    yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.runForEach((text) => text.includes("\n") ? Deferred.succeed(firstLine, undefined) : Effect.void),
      Effect.forkScoped
    )
    yield* child.stderr.pipe(
      Stream.decodeText(),
      Stream.runForEach((text) =>
        Effect.sync(() => {
          errors += text
          for (const w of waiting) if (errors.includes(w.text)) Deferred.unsafeDone(w.seen, Effect.void)
        })
      ),
      Effect.forkScoped
    )
    const stderrShows = (text: string) =>
      Effect.suspend(() => {
        if (errors.includes(text)) return Effect.void
        const seen = Deferred.unsafeMake<void>(FiberId.none)
        waiting.push({ text, seen })
        return Deferred.await(seen)
      })
    return { child, firstLine: Deferred.await(firstLine), stderr: () => errors, stderrShows }
  })

const billion = (url: string) => ["fetch", `${url}/r/{1..1000000000}`, "-c", "100", "--no-progress"]

layer(NodeContext.layer, { excludeTestServices: true })("signals (built CLI)", (it) => {
  it.scoped("SIGINT on a billion-URL range: exits 130 once what is in flight is done, with a summary", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      const run = yield* startWatched(billion(server.url), endlessGrace)
      yield* run.firstLine
      yield* run.child.kill("SIGINT")
      // Before a ten-minute grace could end: the requests in flight finished, and that was all.
      expect(yield* run.child.exitCode).toBe(130)
      yield* run.stderrShows("latency")
      expect(run.stderr()).toContain("stopping: finishing the requests in flight (Ctrl-C again to stop at once)")
      expect(run.stderr()).toMatch(/interrupted: \d+ done: \d+ ok, 0 failed/)
      // Far from all of them: sending stopped at the signal.
      expect(server.hits()).toBeLessThan(10_000_000)
    }))

  it.scoped("SIGTERM says terminating (not Ctrl-C), and stops as promptly", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      const run = yield* startWatched(billion(server.url), endlessGrace)
      yield* run.firstLine
      yield* run.child.kill("SIGTERM")
      // Before a ten-minute grace could end: the requests in flight finished, and that was all.
      expect(yield* run.child.exitCode).toBe(130)
      yield* run.stderrShows("latency")
      expect(run.stderr()).toContain("terminating: finishing the requests in flight")
      expect(run.stderr()).not.toContain("Ctrl-C")
      expect(run.stderr()).toMatch(/interrupted: \d+ done/)
    }))

  it.scoped("a second signal exits at once, long before a grace period that would not end", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/out.ndjson`
      // Never answers: only the second signal can end the run before its two-minute grace.
      const server = yield* startLoopbackServer(() => {})
      const run = yield* startWatched(
        ["fetch", `${server.url}/r/{1..1000000000}`, "-c", "4", "--timeout", "120s", "-o", out, "--no-progress"],
        { VOLLEY_GRACE: "120s" }
      )
      yield* Deferred.await(server.firstRequest)
      // `kill` of @effect/platform waits for the exit; these signals must not.
      const signal = Effect.sync(() => process.kill(run.child.pid, "SIGINT"))
      yield* signal
      yield* run.stderrShows("stopping:")
      yield* signal
      // Before the two-minute grace (and the requests' time-out) could end: the second signal.
      expect(yield* run.child.exitCode).toBe(130)
      yield* run.stderrShows("stopped at once")
      // Its lock went with it.
      expect(yield* fs.readDirectory(dir)).toEqual(["out.ndjson"])
    }))

  it.scoped("SIGINT writes whole records and exits 130; --resume completes the file without refetching", () =>
    Effect.gen(function*() {
      // The first 24 are answered at once; later ones wait until the run says it is stopping, so
      // the signal always lands in the middle of the run.
      const held: Array<ServerResponse> = []
      let seen = 0
      let released = false
      const answer = (res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end("{}")
      const server = yield* startLoopbackServer((_req, res) => {
        seen++
        if (released || seen <= 24) answer(res)
        else held.push(res)
      })
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const urls = `${dir}/urls.txt`
      const out = `${dir}/out.ndjson`
      yield* fs.writeFileString(urls, `${server.url}/json/{1..200}\n`)
      const args = ["fetch", "--input", urls, "-c", "8", "-o", out, "--no-progress"]

      const run = yield* startWatched(args, endlessGrace)
      // Wait (bounded) until some records are on disk, then interrupt.
      yield* fs.readFileString(out).pipe(
        Effect.orElseSucceed(() => ""),
        Effect.repeat({ schedule: Schedule.spaced("25 millis"), until: (text) => countLines(text) >= 16, times: 400 })
      )
      // `kill` of @effect/platform waits for the exit; the held requests must be answered first.
      yield* Effect.sync(() => process.kill(run.child.pid, "SIGINT"))
      yield* run.stderrShows("stopping:")
      released = true
      for (const res of held.splice(0)) answer(res)
      expect(yield* run.child.exitCode).toBe(130)
      const partial = yield* fs.readFileString(out)
      expect(partial.endsWith("\n")).toBe(true)
      const first = partial.trim().split("\n").map((line) => JSON.parse(line) as { index: number })
      expect(first.length).toBeGreaterThanOrEqual(16)
      expect(first.length).toBeLessThan(200)
      expect(first.map((r) => r.index)).toEqual(first.map((_, i) => i))
      const seenBefore = server.hits()

      const resumed = yield* runInProcess([...args, "--resume"])
      expect(resumed.code).toBe(0)
      expect(resumed.stderr).toContain(`resuming: ${first.length} records kept`)
      const records = (yield* fs.readFileString(out)).trim().split("\n").map((l) =>
        JSON.parse(l) as { index: number; ok: boolean }
      )
      expect(records.length).toBe(200)
      expect(new Set(records.map((r) => r.index)).size).toBe(200)
      expect(records.every((r) => r.ok)).toBe(true)
      // Requests in flight at the signal were finished and written, so none is sent twice.
      expect(seenBefore).toBe(first.length)
      expect(server.hits()).toBe(200)

      const changed = yield* runInProcess(["fetch", `${server.url}/json/other`, "-o", out, "--resume"])
      expect(changed.code).toBe(2)
      expect(changed.stderr).toContain("the input changed: index 0")
    }))

  it.scoped("killed in the middle of a body (--save-dir): no file under the final name", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const halfSent = yield* Deferred.make<void>()
      // Sends half the announced body, then holds the connection open.
      const server = yield* startLoopbackServer((_req, res) => {
        res.writeHead(200, { "content-length": String(2 * 1024 * 1024) })
        res.write(Buffer.alloc(1024 * 1024, 1), () => Deferred.unsafeDone(halfSent, Effect.void))
      })
      const dir = yield* fs.makeTempDirectoryScoped()
      const child = yield* startCli(["fetch", `${server.url}/big.iso`, "--save-dir", dir, "--no-progress"])
      yield* Deferred.await(halfSent)
      yield* child.kill("SIGKILL")
      yield* Effect.ignore(child.exitCode)
      const left = yield* fs.readDirectory(dir)
      expect(left).not.toContain("0-big.iso")
      expect(left.every((name) => name.endsWith(".volley-part"))).toBe(true)
    }))
})
