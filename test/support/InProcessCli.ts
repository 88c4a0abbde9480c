/**
 * The `volley` command run in this process, against the source: the same layers as `bin.ts`,
 * with stdout and stderr captured, and the exit code and message `bin.ts` would give.
 */
import { NodeContext } from "@effect/platform-node"
import { type Console, Effect, Layer } from "effect"
import { cli } from "../../src/cli/Cli.js"
import { outcomeOf } from "../../src/cli/ExitCode.js"
import { usageLine } from "../../src/cli/TerminalConsole.js"
import { TransportFactory } from "../../src/engine/Compare.js"
import { makeShutdown, Shutdown } from "../../src/engine/Shutdown.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { makeCapture } from "../../src/report/Stdout.js"
import type { CliResult } from "./CliProcess.js"

/** `volley ...args`, in process. `stderr` ends with the line `bin.ts` prints for the outcome. */
export const runInProcess = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const capture = makeCapture()
    const layers = Layer.mergeAll(
      NodeContext.layer,
      undiciLayer(),
      Layer.succeed(TransportFactory, undiciLayer()),
      Layer.succeed(Shutdown, makeShutdown()),
      capture.stdout,
      capture.stderr
    )
    // What @effect/cli prints itself (usage errors) lands in the captured stderr too.
    const base = yield* Effect.console
    let printed = ""
    const console: Console.Console = {
      ...base,
      log: (...parts: ReadonlyArray<unknown>) =>
        Effect.sync(() => {
          printed += parts.join(" ") + "\n"
        }),
      error: (...parts: ReadonlyArray<unknown>) =>
        Effect.sync(() => {
          printed += usageLine(parts.join(" ")) + "\n"
        })
    }
    const exit = yield* Effect.exit(
      cli(["node", "volley", ...args]).pipe(Effect.provide(layers), Effect.withConsole(console))
    )
    const { code, message } = outcomeOf(exit)
    return {
      code,
      stdout: capture.output(),
      stderr: printed + capture.errors() + (message === undefined ? "" : message + "\n")
    } satisfies CliResult
  })
