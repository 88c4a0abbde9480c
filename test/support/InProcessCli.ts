/**
 * The `volley` command run in this process, against the source: `main` (what `bin.ts` runs) with
 * the same layers as `bin.ts`, stdout and stderr captured, and the exit code and message
 * `bin.ts` would give. Only signals, resource limits, a closed pipe and the terminal need the
 * built executable (`CliProcess.ts`).
 */
import { NodeContext } from "@effect/platform-node"
import { ConfigProvider, type Console, Effect, Layer } from "effect"
import { Readable } from "node:stream"
import { outcomeOf } from "../../src/cli/ExitCode.js"
import { main } from "../../src/cli/Main.js"
import { Stdin } from "../../src/cli/Stdin.js"
import { usageLine } from "../../src/cli/TerminalConsole.js"
import { TransportFactory } from "../../src/engine/Compare.js"
import { makeShutdown, Shutdown } from "../../src/engine/Shutdown.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { makeCapture } from "./Capture.js"
import type { CliResult } from "./CliProcess.js"

export interface InProcessOptions {
  /** What standard input holds (`--input -`, `@-`); without it stdin is empty. */
  readonly stdin?: string
  /**
   * The environment the run sees, and all of it (the test process's own is not read): through
   * the `ConfigProvider` for what volley reads with `Config` (`VOLLEY_*`, the proxy variables),
   * and as `main`'s environment (`VOLLEY_DEBUG`, `OTEL_*`).
   */
  readonly env?: Readonly<Record<string, string>>
}

/** `volley ...args`, in process. `stderr` ends with the line `bin.ts` prints for the outcome. */
export const runInProcess = (args: ReadonlyArray<string>, options: InProcessOptions = {}) =>
  Effect.gen(function*() {
    const env = options.env ?? {}
    const capture = makeCapture()
    const layers = Layer.mergeAll(
      NodeContext.layer,
      undiciLayer(),
      Layer.succeed(TransportFactory, undiciLayer()),
      Layer.succeed(Shutdown, makeShutdown()),
      Layer.succeed(Stdin, {
        readable: () => Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)])
      }),
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
      main(["node", "volley", ...args], env).pipe(
        Effect.provide(layers),
        Effect.withConsole(console),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
      )
    )
    const { code, message } = outcomeOf(exit)
    return {
      code,
      stdout: capture.output(),
      stderr: printed + capture.errors() + (message === undefined ? "" : message + "\n")
    } satisfies CliResult
  })
