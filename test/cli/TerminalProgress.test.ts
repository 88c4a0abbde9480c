/**
 * The progress bar on a real terminal: the built CLI (checked first to be newer than the source)
 * in a tmux pane (tmux renders what a user would see), Ctrl-C pressed while the bar is drawn. The
 * bar shows by default, and the stop message and the summary land on lines of their own, not
 * over the bar.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Schedule } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { type DemoServer, startDemoServer } from "../../src/server/DemoServer.js"
import { freshBundle } from "../support/CliProcess.js"

class Demo extends Context.Tag("test/Demo")<Demo, DemoServer>() {}
const DemoLive = Layer.scoped(Demo, startDemoServer())

const hasTmux = (() => {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

const socket = `volley-test-${process.pid}`
const tmux = (...args: Array<string>) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" })
const screen = () => tmux("capture-pane", "-p", "-t", "run")

/** Waits (polling the rendered screen, at most 20 s) until `seen` holds. */
const screenShows = (seen: (text: string) => boolean, what: string) =>
  Effect.sync(screen).pipe(
    Effect.filterOrFail(seen, () => new Error(`the terminal never showed ${what}:\n${screen()}`)),
    Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("20 seconds")))
  )

layer(Layer.mergeAll(DemoLive, NodeContext.layer), { excludeTestServices: true })("progress on a terminal", (it) => {
  it.scoped.skipIf(!hasTmux)(
    "the bar is on by default; Ctrl-C's message and the summary are on clean lines",
    () =>
      Effect.gen(function*() {
        yield* freshBundle
        const { url } = yield* Demo
        const dir = mkdtempSync(join(tmpdir(), "volley-tty-"))
        const bin = resolve("bin/volley.js")
        const command = `NO_COLOR=1 node ${bin} fetch '${url}/json/{1..100000}?delay=20' -c 4 -o ${dir}/out.ndjson`
        yield* Effect.acquireRelease(
          Effect.sync(() => {
            tmux("new-session", "-d", "-s", "run", "-x", "150", "-y", "20", "sh")
            tmux("set-option", "-t", "run", "remain-on-exit", "on")
            tmux("send-keys", "-t", "run", `${command}; echo "EXIT=$?"`, "Enter")
          }),
          () =>
            Effect.sync(() => {
              tmux("kill-server")
              rmSync(dir, { recursive: true, force: true })
            })
        )
        yield* screenShows((text) => /\d+\/100000 \| \d+ req\/s/.test(text), "the progress bar")
        tmux("send-keys", "-t", "run", "C-c")
        // A line of its own: the typed command, when it wraps, shows `"EXIT=$?"` too.
        const final = yield* screenShows((text) => /^EXIT=\d+$/m.test(text), "the exit")
        const lines = final.split("\n")
        const stopping = lines.findIndex((line) => line.startsWith("stopping: finishing the requests in flight"))
        const summary = lines.findIndex((line) => line.startsWith("interrupted: "))
        expect(stopping).toBeGreaterThanOrEqual(0)
        expect(summary).toBeGreaterThan(stopping)
        expect(final).toContain("EXIT=130")
        // No line carries two things: the bar's text never shares a line with a message.
        for (const line of lines) {
          if (line.includes("req/s |")) expect(line).not.toMatch(/stopping|interrupted|done:/)
        }
      })
  )
})
