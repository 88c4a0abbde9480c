/**
 * An in-memory stdout and stderr for tests: the layers to provide, and what was written to each.
 */
import { Effect, Layer } from "effect"
import { Stderr, Stdout } from "../../src/report/Stdout.js"

/** An in-memory pair of streams: read what was written with `output()` and `errors()`. */
export const makeCapture = () => {
  let out = ""
  let err = ""
  return {
    stdout: Layer.succeed(Stdout, {
      write: (text: string) =>
        Effect.sync(() => {
          out += text
        })
    }),
    stderr: Layer.succeed(Stderr, {
      isTTY: false,
      write: (text: string) =>
        Effect.sync(() => {
          err += text
        })
    }),
    output: () => out,
    errors: () => err
  }
}
