/**
 * Standard output as a service, so commands write results through it and tests can capture
 * them. Writes wait for the stream to drain: a slow reader (a pipe into `gzip`) slows the run
 * down instead of filling memory.
 *
 * @module
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { printAbove, progressDrawn } from "./Progress.js"

export interface StdoutService {
  readonly write: (text: string) => Effect.Effect<void>
  /** A terminal: records printed there are for a person (no progress bar over them). */
  readonly isTTY?: boolean
}

/** Where results and reports are written. */
export class Stdout extends Context.Tag("volley/Stdout")<Stdout, StdoutService>() {}

/** A writable Node stream as `Stdout`; a closed pipe (EPIPE) ends output quietly. */
export const fromWritable = (stream: NodeJS.WritableStream): StdoutService => {
  let closed = false
  stream.on("error", () => {
    closed = true
  })
  return {
    write: (text) =>
      Effect.async<void>((resume) => {
        if (closed || text === "") return resume(Effect.void)
        if (stream.write(text)) return resume(Effect.void)
        const done = () => {
          stream.off("drain", done)
          stream.off("error", done)
          resume(Effect.void)
        }
        stream.once("drain", done)
        stream.once("error", done)
      })
  }
}

/** The process's standard output. */
export const layerProcess: Layer.Layer<Stdout> = Layer.sync(Stdout, () => ({
  ...fromWritable(process.stdout),
  isTTY: process.stdout.isTTY === true
}))

/** Standard error, for progress, summaries and messages. */
export class Stderr extends Context.Tag("volley/Stderr")<Stderr, StdoutService & { readonly isTTY: boolean }>() {}

export const layerProcessStderr: Layer.Layer<Stderr> = Layer.sync(Stderr, () => {
  const base = fromWritable(process.stderr)
  return {
    // While a progress bar is drawn, messages go above it rather than over it.
    write: (text: string) => progressDrawn() ? Effect.sync(() => printAbove(text)) : base.write(text),
    isTTY: process.stderr.isTTY === true
  }
})

/** An in-memory pair of streams, for tests: read what was written with `output()`. */
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
