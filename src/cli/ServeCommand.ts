/**
 * `volley serve`: the embedded demo API, on loopback by default, until interrupted.
 *
 * @module
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { UsageError } from "../domain/UsageError.js"
import { Stdout } from "../report/Stdout.js"
import type { CommandHelp } from "./HelpText.js"
import { lazyModule } from "./LazyModule.js"
import { positiveIntOption } from "./OptionParsers.js"

/** The flags of `volley serve`. */
export const serveOptions = {
  port: positiveIntOption("port", 8080, { min: 0 }).pipe(
    Options.withDescription("port to listen on (0: any free port)")
  ),
  host: Options.text("host").pipe(
    Options.withDefault("127.0.0.1"),
    Options.withDescription("address to bind; loopback unless you mean otherwise")
  )
} as const

/** How `volley serve --help` reads. */
export const serveHelp: CommandHelp = {
  name: "serve",
  summary: "run the embedded demo API (cat facts, users, flaky and rate-limited endpoints)",
  usage: "volley serve [--port N] [--host ADDRESS]",
  groups: [["Server", ["--port", "--host"]]],
  examples: [
    ["on port 8080, then fetch from it", "volley serve & volley fetch 'http://127.0.0.1:8080/facts/{1..10}'"],
    ["any free port (the address is printed)", "volley serve --port 0"],
    [
      "every endpoint takes ?delay=MS: 100 answers after 200 ms",
      "volley fetch 'http://127.0.0.1:8080/json/{1..100}?delay=200' -c 100"
    ]
  ]
}

export const serveCommand = Command.make("serve", serveOptions, (flags) =>
  Effect.scoped(Effect.gen(function*() {
    const { startDemoServer } = yield* lazyModule(() => import("../server/DemoServer.js"))
    const server = yield* startDemoServer({ port: flags.port, host: flags.host }).pipe(
      Effect.mapError((error) =>
        new UsageError({
          message: `--port ${flags.port}: cannot listen on ${flags.host}: ${String(error.cause ?? error)}`
        })
      )
    )
    const stdout = yield* Stdout
    yield* stdout.write(
      `volley demo API listening on ${server.url}\ntry: volley fetch '${server.url}/facts/{1..10}' -e 'data[0].fact'\n`
    )
    return yield* Effect.never
  }))).pipe(Command.withDescription("Run the embedded demo API (cat facts, users, flaky and rate-limited endpoints)"))
