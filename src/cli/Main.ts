/**
 * The `volley` program for a command line and an environment: the command, OpenTelemetry export
 * when the standard variables ask for it (the SDK loads only then), and with `VOLLEY_DEBUG` the
 * full cause of a failure on stderr. `bin.ts` runs it with the process's layers and signals; the
 * CLI tests run it in process with captured ones, so both run this same composition.
 *
 * @module
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type Env, otelPlan } from "../observability/OtelEnv.js"
import { Stderr } from "../report/Stdout.js"
import { cli } from "./Cli.js"
import { lazyModule } from "./LazyModule.js"

/** `argv` as `process.argv` (two leading entries), `env` as `process.env`. */
export const main = (argv: ReadonlyArray<string>, env: Env) => {
  const debug = env["VOLLEY_DEBUG"] !== undefined && env["VOLLEY_DEBUG"] !== ""
  const otel = otelPlan(env)
  const wanted = otel.plan
  const telemetry = wanted === undefined ? Layer.empty : Layer.unwrapEffect(
    Effect.map(
      lazyModule(() => import("../observability/OtelExport.js")),
      ({ otelLayer }) => otelLayer(wanted, env)
    )
  )
  return Effect.gen(function*() {
    const stderr = yield* Stderr
    for (const warning of otel.warnings) yield* stderr.write(`volley: ${warning}\n`)
    return yield* cli(argv).pipe(
      Effect.tapErrorCause((cause) => debug ? stderr.write(Cause.pretty(cause) + "\n") : Effect.void),
      Effect.provide(telemetry)
    )
  })
}
