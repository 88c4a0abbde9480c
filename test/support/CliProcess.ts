/**
 * Runs the built `volley` executable as a child process and collects its exit code and output.
 */
import { Command } from "@effect/platform"
import { Chunk, Effect, Stream } from "effect"

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const collect = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) =>
  stream.pipe(Stream.decodeText(), Stream.runCollect, Effect.map((chunks) => Chunk.join(chunks, "")))

/**
 * `node bin/volley.js ...args`, optionally with text on stdin and extra environment variables;
 * with `command` (`sh`), that program with `args` instead (a shell line that sets a limit first).
 */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { stdin?: string; env?: Record<string, string>; command?: string } = {}
) =>
  Effect.scoped(Effect.gen(function*() {
    let command = (options.command === undefined
      ? Command.make("node", "bin/volley.js", ...args)
      : Command.make(options.command, ...args)).pipe(
        Command.env({ NO_COLOR: "1", ...options.env })
      )
    if (options.stdin !== undefined) command = Command.feed(command, options.stdin)
    const process = yield* Command.start(command)
    const [stdout, stderr, code] = yield* Effect.all([
      collect(process.stdout),
      collect(process.stderr),
      process.exitCode
    ], {
      concurrency: "unbounded"
    })
    return { code: Number(code), stdout, stderr } satisfies CliResult
  }))
