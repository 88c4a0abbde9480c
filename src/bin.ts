/**
 * The `volley` executable: runs `main` (the command line, telemetry, `VOLLEY_DEBUG`) with the
 * production layers (Node platform, undici HTTP client, stdin/stdout/stderr, graceful shutdown)
 * and turns the outcome into an exit code.
 *
 * Signals are handled here rather than by `NodeRuntime.runMain`, which interrupts at once: the
 * first Ctrl-C (or SIGTERM) lets a fetch finish what is in flight (up to a grace period,
 * `VOLLEY_GRACE`, 5s by default), the second one ends the process at once, removing its lock
 * and temporary files on the way out.
 *
 * @module
 */
// Deep imports: the package index would load (and initialise) every Node module of the platform.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { ExitCode, outcomeOf } from "./cli/ExitCode.js"
import { main } from "./cli/Main.js"
import { layerProcessStdin } from "./cli/Stdin.js"
import { withTerminalConsole } from "./cli/TerminalConsole.js"
import { parseDuration } from "./domain/DurationText.js"
import { TransportFactory } from "./engine/Compare.js"
import { removeAllNow } from "./engine/ExitCleanup.js"
import { makeShutdown, Shutdown } from "./engine/Shutdown.js"
import { undiciLayer } from "./http/TransportLayer.js"
import { printAbove } from "./report/Progress.js"
import { layerProcess, layerProcessStderr } from "./report/Stdout.js"

/** How long the requests in flight may take to finish after the first signal. */
const graceMs = ((text) =>
  text === undefined || text === "" ? 5_000 : Either.match(parseDuration(text), {
    onLeft: () => 5_000,
    onRight: Duration.toMillis
  }))(process.env["VOLLEY_GRACE"])
const shutdown = makeShutdown()

const MainLayer = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeTerminal.layer,
  undiciLayer(),
  Layer.succeed(TransportFactory, undiciLayer()),
  Layer.succeed(Shutdown, shutdown),
  layerProcess,
  layerProcessStderr,
  layerProcessStdin
)

// The command, telemetry as the environment asks and VOLLEY_DEBUG's trace: `main`, shared with the
// in-process CLI tests.
const program = main(process.argv, process.env).pipe(Effect.provide(MainLayer), withTerminalConsole)

// Keeps the process alive while the program waits on nothing but timers it owns.
const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
const fiber = Effect.runFork(program)
let signals = 0

const onSignal = (signal: NodeJS.Signals) => {
  signals++
  const again = signal === "SIGINT" ? "Ctrl-C again to stop at once" : "a second SIGTERM stops at once"
  if (signals === 1 && shutdown.graceful.count > 0) {
    const what = signal === "SIGINT" ? "stopping" : "terminating"
    printAbove(`${process.stderr.isTTY ? "\n" : ""}${what}: finishing the requests in flight (${again})\n`)
    shutdown.request()
    setTimeout(() => fiber.unsafeInterruptAsFork(fiber.id()), graceMs).unref()
  } else if (signals === 1) {
    fiber.unsafeInterruptAsFork(fiber.id())
  } else {
    // Every record written so far is on disk already (each write is awaited): stop now.
    process.stderr.write(`${signal === "SIGINT" ? "stopped" : "terminated"} at once\n`)
    removeAllNow()
    process.exit(ExitCode.interrupted)
  }
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

fiber.addObserver((exit) => {
  clearInterval(keepAlive)
  process.off("SIGINT", onSignal)
  process.off("SIGTERM", onSignal)
  const { code, message } = outcomeOf(exit)
  if (message !== undefined) process.stderr.write(message + "\n")
  process.exitCode = code
  // Let buffered output reach the pipe, then end even if a handle (stdin) is still open.
  if (process.stdout.destroyed || process.stdout.writableEnded) process.exit(code)
  process.stdout.write("", () => process.exit(code))
})
