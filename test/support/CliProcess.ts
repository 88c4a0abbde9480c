/**
 * Runs the built `volley` executable as a child process and collects its exit code and output,
 * for what only a process shows (signals, a closed or full stdout, resource limits, the terminal,
 * the bundle itself); everything else runs in process (`InProcessCli.ts`). It runs the bundle,
 * so a bundle older than the source fails the test at once (no test of stale code passes):
 * `npm test` builds first; a bare `vitest` needs `npm run build`.
 */
import { Command } from "@effect/platform"
import { Chunk, Effect, Stream } from "effect"
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"

const bundle = "dist/volley.cjs"

/** The newest file under `dir` and its modification time. */
const newest = (dir: string): { readonly path: string; readonly mtimeMs: number } => {
  let found = { path: dir, mtimeMs: 0 }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const candidate = entry.isDirectory() ? newest(path) : { path, mtimeMs: statSync(path).mtimeMs }
    if (candidate.mtimeMs > found.mtimeMs) found = candidate
  }
  return found
}

/** Why the bundle cannot be trusted to be the source, or undefined when it is newer than every source file. */
export const staleBundle = (): string | undefined => {
  const built = (() => {
    try {
      return statSync(bundle).mtimeMs
    } catch {
      return undefined
    }
  })()
  if (built === undefined) return `${bundle} does not exist: run npm run build`
  const source = newest("src")
  return source.mtimeMs > built ? `${bundle} is older than ${source.path}: run npm run build` : undefined
}

/** Dies, naming the reason, unless the bundle is newer than every source file. */
export const freshBundle = Effect.suspend(() => {
  const problem = staleBundle()
  return problem === undefined ? Effect.void : Effect.die(new Error(problem))
})

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `node bin/volley.js ...args` started (not awaited), with extra environment variables. */
export const startCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.zipRight(
    freshBundle,
    Command.start(Command.make("node", "bin/volley.js", ...args).pipe(Command.env({ NO_COLOR: "1", ...env })))
  )

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
    yield* freshBundle
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
