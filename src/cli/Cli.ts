/**
 * The `volley` command and its subcommands.
 *
 * @module
 */
import * as Command from "@effect/cli/Command"
import { version } from "../Version.js"
import { compareCommand } from "./CompareCommand.js"
import { demoCommand } from "./DemoCommand.js"
import { fetchCommand } from "./FetchCommand.js"
import { runCommand } from "./RunCommand.js"
import { serveCommand } from "./ServeCommand.js"

export const volley = Command.make("volley").pipe(
  Command.withDescription("Fetch many HTTP resources concurrently and reliably, as typed workflows"),
  Command.withSubcommands([fetchCommand, compareCommand, runCommand, serveCommand, demoCommand])
)

/** Parses `argv` (as `process.argv`) and runs the chosen command. */
export const cli = Command.run(volley, {
  name: "volley",
  version
})
