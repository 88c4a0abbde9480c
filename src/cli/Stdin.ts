/**
 * Standard input as a service: `--input -` and `@-` read it through here, so a test can hand the
 * command a stream of its own (the same Node reading code runs either way).
 *
 * @module
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"

export interface StdinService {
  /** The stream to read; called once, when it is first read. */
  readonly readable: () => NodeJS.ReadableStream
}

/** Where `--input -` and `@-` are read from. */
export class Stdin extends Context.Tag("volley/Stdin")<Stdin, StdinService>() {}

/** The process's standard input. */
export const layerProcessStdin: Layer.Layer<Stdin> = Layer.succeed(Stdin, { readable: () => process.stdin })
