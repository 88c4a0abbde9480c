/**
 * The progress bar on standard error (done/total, rate, ETA, failures), drawn by `cli-progress`,
 * the most used terminal progress bar for Node. Off when stderr is not a terminal.
 *
 * @module
 */
import { Presets, SingleBar } from "cli-progress"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface Progress {
  readonly update: (done: number, failed: number) => void
}

const silent: Progress = { update: () => {} }

/** The bar on screen, if any: messages are printed above it, not over it. */
let drawn: { readonly clear: () => void; readonly redraw: () => void } | undefined

/**
 * Writes a message to stderr on its own line: when a progress bar is drawn, the bar's line is
 * cleared first and the bar drawn again below the message.
 */
export const printAbove = (text: string, stream: NodeJS.WritableStream = process.stderr): void => {
  if (drawn === undefined) {
    stream.write(text)
    return
  }
  drawn.clear()
  stream.write(text)
  drawn.redraw()
}

/**
 * A progress bar that lives as long as the current scope. `total` is undefined when the input
 * size is unknown (stdin), and the bar then shows a count and a rate only.
 */
export const makeProgress = (options: {
  readonly enabled: boolean
  readonly total: number | undefined
  readonly stream?: NodeJS.WritableStream
}): Effect.Effect<Progress, never, Scope.Scope> => {
  if (!options.enabled) return Effect.succeed(silent)
  const known = options.total !== undefined
  return Effect.acquireRelease(
    Effect.sync(() => {
      const bar = new SingleBar({
        stream: options.stream ?? process.stderr,
        format: known
          ? "{bar} {percentage}% | {value}/{total} | {rate} req/s | ETA {eta_formatted} | failed {failed}"
          : "{value} done | {rate} req/s | failed {failed}",
        barsize: 24,
        hideCursor: true,
        // cli-progress would otherwise turn the terminal's line wrapping off, which clips every
        // line printed while the bar is up (records on stdout included); the bar is trimmed instead.
        linewrap: true,
        etaBuffer: 200,
        fps: 10,
        // Draw even on a pipe when asked for explicitly with --progress.
        noTTYOutput: true,
        notTTYSchedule: 500
      }, Presets.shades_classic)
      const started = Date.now()
      bar.start(options.total ?? 0, 0, { rate: "0", failed: 0 })
      const stream = options.stream ?? process.stderr
      drawn = {
        clear: () => stream.write("\r\u001b[2K"),
        // `render(force)` is public in cli-progress but missing from its types; forced, since the
        // bar skips a redraw when its text has not changed.
        redraw: () => (bar as unknown as { render: (force: boolean) => void }).render(true)
      }
      let last = 0
      const progress: Progress = {
        update: (done, failed) => {
          const now = Date.now()
          // cli-progress redraws on a timer; feeding it every record would cost more than a fetch.
          if (now - last < 50 && done !== options.total) return
          last = now
          const seconds = (now - started) / 1000
          bar.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(0) : "0", failed })
        }
      }
      return { bar, progress }
    }),
    ({ bar }) =>
      Effect.sync(() => {
        drawn = undefined
        bar.stop()
      })
  ).pipe(Effect.map(({ progress }) => progress))
}
