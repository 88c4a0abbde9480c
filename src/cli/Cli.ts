/**
 * The `volley` command and its subcommands. The command line is checked by `Argv` against each
 * command's flags before `@effect/cli` parses it, and `--help` is rendered by `HelpText`.
 *
 * @module
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { version } from "../domain/Version.js"
import { Stdout } from "../report/Stdout.js"
import { type FlagSpec, flagSpecs, planArgv } from "./Argv.js"
import { compareCommand, compareHelp, compareOptions } from "./CompareCommand.js"
import { demoCommand, demoHelp } from "./DemoCommand.js"
import { fetchCommand, fetchHelp, fetchOptions } from "./FetchCommand.js"
import { type CommandHelp, renderCommandHelp, renderTopHelp } from "./HelpText.js"
import { runCommand, runHelp, runOptions } from "./RunCommand.js"
import { clusterCommand, clusterHelp, clusterOptions, runsCommand, runsHelp, runsOptions } from "./RunsCommand.js"
import { serveCommand, serveHelp, serveOptions } from "./ServeCommand.js"
import { workerCommand, workerHelp, workerOptions } from "./WorkerCommand.js"

export const volley = Command.make("volley").pipe(
  Command.withDescription("Fetch many HTTP resources concurrently and reliably, as typed workflows"),
  Command.withSubcommands([
    fetchCommand,
    compareCommand,
    runCommand,
    serveCommand,
    demoCommand,
    workerCommand,
    runsCommand,
    clusterCommand
  ])
)

/** The flags of a command's config (its arguments left out). */
const optionsOf = (config: Readonly<Record<string, unknown>>): Options.Options<unknown> =>
  Options.all(Object.values(config).filter((value): value is Options.Options<unknown> => Options.isOptions(value)))

const commands: ReadonlyArray<{ readonly help: CommandHelp; readonly options: Options.Options<unknown> }> = [
  { help: fetchHelp, options: optionsOf(fetchOptions) },
  { help: compareHelp, options: optionsOf(compareOptions) },
  { help: runHelp, options: optionsOf(runOptions) },
  { help: serveHelp, options: optionsOf(serveOptions) },
  { help: demoHelp, options: optionsOf({}) },
  { help: workerHelp, options: optionsOf(workerOptions) },
  { help: runsHelp, options: optionsOf(runsOptions) },
  { help: clusterHelp, options: optionsOf(clusterOptions) }
]

const commandFlags: Record<string, ReadonlyArray<FlagSpec>> = Object.fromEntries(
  commands.map(({ help, options }) => [help.name, flagSpecs(options)])
)

/** The help of one command, or of `volley` itself. */
export const helpText = (command: string | undefined): string => {
  const found = commands.find(({ help }) => help.name === command)
  return found === undefined
    ? renderTopHelp(version, commands.map(({ help }) => help))
    : renderCommandHelp(found.help, found.options)
}

const run = Command.run(volley, { name: "volley", version })

// @effect/cli matches flags case-insensitively by default, which makes -I mean -i and -H mean -h:
// curl's letters need case to count.
const caseSensitive = CliConfig.layer({ isCaseSensitive: true })

/** Parses `argv` (as `process.argv`) and runs the chosen command. */
export const cli = (argv: ReadonlyArray<string>) =>
  Effect.flatMap(
    Either.match(planArgv(argv.slice(2), commandFlags), {
      onLeft: Effect.fail,
      onRight: Effect.succeed
    }),
    (plan) =>
      plan._tag === "Help"
        ? Effect.flatMap(Stdout, (stdout) => stdout.write(helpText(plan.command)))
        : Effect.provide(run([...argv.slice(0, 2), ...plan.args]), caseSensitive)
  )
