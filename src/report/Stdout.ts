/**
 * Standard output as a service, so commands write results through it and tests can capture
 * them. Writes wait for the stream to take them: a slow reader (a pipe into `gzip`) slows the
 * run down instead of filling memory, and a write that fails (a full disk behind `> file`, a
 * reader gone: EPIPE) fails the effect with the system's error code — never silently.
 *
 * @module
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type WriteFailure, writeFailureOf } from "../domain/OutputError.js"
import { printAbove, progressDrawn } from "./Progress.js"

export interface StdoutService {
  /** Fails with the write's error (`ENOSPC`, `EPIPE`); every later write fails the same way. */
  readonly write: (text: string) => Effect.Effect<void, WriteFailure>
  /** A terminal: records printed there are for a person (no progress bar over them). */
  readonly isTTY?: boolean
}

/** A stream for messages: a failed write is dropped (there is nowhere left to report it). */
export interface MessageStream {
  readonly write: (text: string) => Effect.Effect<void>
}

/** Where results and reports are written. */
export class Stdout extends Context.Tag("volley/Stdout")<Stdout, StdoutService>() {}

/**
 * A writable Node stream as `Stdout`. Each write resumes when the stream has taken the text
 * (its callback), so an error is the failure of the write that met it; after one, every write
 * fails with it.
 */
export const fromWritable = (stream: NodeJS.WritableStream): StdoutService => {
  let failed: WriteFailure | undefined
  // Without a listener an EPIPE would end the process with an unhandled 'error' event.
  stream.on("error", (error: unknown) => {
    failed ??= writeFailureOf(error)
  })
  return {
    write: (text) =>
      Effect.async<void, WriteFailure>((resume) => {
        if (failed !== undefined) return resume(Effect.fail(failed))
        if (text === "") return resume(Effect.void)
        try {
          stream.write(text, (error) => {
            if (error === null || error === undefined) return resume(Effect.void)
            failed ??= writeFailureOf(error)
            resume(Effect.fail(failed))
          })
        } catch (error) {
          failed ??= writeFailureOf(error)
          resume(Effect.fail(failed))
        }
      })
  }
}

/** A writable Node stream for messages: failures are ignored, a slow reader is waited for. */
const messagesTo = (stream: NodeJS.WritableStream): MessageStream => {
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
export class Stderr extends Context.Tag("volley/Stderr")<Stderr, MessageStream & { readonly isTTY: boolean }>() {}

export const layerProcessStderr: Layer.Layer<Stderr> = Layer.sync(Stderr, () => {
  const base = messagesTo(process.stderr)
  return {
    // While a progress bar is drawn, messages go above it rather than over it.
    write: (text: string) => progressDrawn() ? Effect.sync(() => printAbove(text)) : base.write(text),
    isTTY: process.stderr.isTTY === true
  }
})
