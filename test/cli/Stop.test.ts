/**
 * Stopping is prompt whatever the input size (built CLI): on a range of a billion URLs the first
 * SIGINT or SIGTERM stops sending, lets what is in flight finish and exits 130 within the grace
 * period with a summary; a second signal exits at once, leaving no lock behind. The tests wait on
 * output and events, never on sleeps; the only time bound is the generous one the spec sets.
 */
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Deferred, Effect, FiberId, Stream } from "effect"
import { jsonAfter, startLoopbackServer } from "../support/LoopbackServer.js"

/** Generous: the grace period is 5 s, and the machine may be busy. */
const withinGraceMs = 10_000

/** Starts the CLI and reads its output as it comes: the first stdout line, and stderr's text. */
const startWatched = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const child = yield* Command.start(
      Command.make("node", "bin/volley.js", ...args).pipe(
        Command.env({ NO_COLOR: "1", ...env })
      )
    )
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

layer(NodeContext.layer, { excludeTestServices: true })("stopping (built CLI)", (it) => {
  it.scoped("SIGINT on a billion-URL range: exits 130 within the grace period, with a summary", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      const run = yield* startWatched(billion(server.url))
      yield* run.firstLine
      const signalled = Date.now()
      yield* run.child.kill("SIGINT")
      expect(yield* run.child.exitCode).toBe(130)
      expect(Date.now() - signalled).toBeLessThan(withinGraceMs)
      yield* run.stderrShows("latency")
      expect(run.stderr()).toContain("stopping: finishing the requests in flight (Ctrl-C again to stop at once)")
      expect(run.stderr()).toMatch(/interrupted: \d+ done: \d+ ok, 0 failed/)
      // Far from all of them: sending stopped at the signal.
      expect(server.hits()).toBeLessThan(10_000_000)
    }))

  it.scoped("SIGTERM says terminating (not Ctrl-C), and stops as promptly", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(jsonAfter(0))
      const run = yield* startWatched(billion(server.url))
      yield* run.firstLine
      const signalled = Date.now()
      yield* run.child.kill("SIGTERM")
      expect(yield* run.child.exitCode).toBe(130)
      expect(Date.now() - signalled).toBeLessThan(withinGraceMs)
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
      const again = Date.now()
      yield* signal
      expect(yield* run.child.exitCode).toBe(130)
      expect(Date.now() - again).toBeLessThan(withinGraceMs)
      yield* run.stderrShows("stopped at once")
      // Its lock went with it.
      expect(yield* fs.readDirectory(dir)).toEqual(["out.ndjson"])
    }))
})
