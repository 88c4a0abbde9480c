#!/usr/bin/env node
/**
 * The `volley` executable: parses the command line, provides the production layers (Node
 * platform, undici HTTP client, stdout/stderr) and turns the outcome into an exit code.
 *
 * @module
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Layer } from "effect"
import { cli } from "./cli/Cli.js"
import { outcomeOf } from "./cli/ExitCode.js"
import { withTerminalConsole } from "./cli/TerminalConsole.js"
import { HttpClientFactory } from "./engine/Compare.js"
import { undiciHttpClientLayer } from "./http/UndiciHttpClient.js"
import { layerProcess, layerProcessStderr } from "./report/Stdout.js"

const MainLayer = Layer.mergeAll(
  NodeContext.layer,
  undiciHttpClientLayer(),
  Layer.succeed(HttpClientFactory, undiciHttpClientLayer()),
  layerProcess,
  layerProcessStderr
)

const debug = process.env["VOLLEY_DEBUG"] !== undefined && process.env["VOLLEY_DEBUG"] !== ""

cli(process.argv).pipe(
  Effect.tapErrorCause((cause) =>
    debug ? Effect.sync(() => process.stderr.write(Cause.pretty(cause) + "\n")) : Effect.void
  ),
  Effect.provide(MainLayer),
  withTerminalConsole,
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => {
      const { code, message } = outcomeOf(exit)
      if (message !== undefined) process.stderr.write(message + "\n")
      process.exitCode = code
      // Let buffered output reach the pipe before the process ends.
      process.stdout.write("", () => onExit(code))
    }
  })
)
