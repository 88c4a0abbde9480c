/**
 * The progress bar on standard error (done/total, rate, ETA, failures), drawn by `cli-progress`,
 * the most used terminal progress bar for Node. Off when stderr is not a terminal.
 *
 * @module
 */
import { MultiBar, Presets } from "cli-progress"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface Progress {
  readonly update: (done: number, failed: number) => void
}

const silent: Progress = { update: () => {} }

/** The bar on screen, if any: messages are printed above it, not over it. */
let drawn: MultiBar | undefined

/** Whether a progress bar is on screen now. */
export const progressDrawn = (): boolean => drawn !== undefined

/**
 * Writes a message to stderr on its own line: while a progress bar is drawn, above the bar
 * (cli-progress's `MultiBar.log`, drawn at the bar's next redraw, which is forced here).
 */
export const printAbove = (text: string, stream: NodeJS.WritableStream = process.stderr): void => {
  if (drawn === undefined) {
    stream.write(text)
    return
  }
  drawn.log(text.endsWith("\n") ? text : text + "\n")
  drawn.update()
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
      // A MultiBar of one bar: unlike SingleBar, it can print lines above the bar (`log`).
      const bars = new MultiBar({
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
      const bar = bars.create(options.total ?? 0, 0, { rate: "0", failed: 0 })
      drawn = bars
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
      return { bars, progress }
    }),
    ({ bars }) =>
      Effect.sync(() => {
        drawn = undefined
        // A message logged since the last redraw is written before the bar's final state.
        bars.update()
        bars.stop()
      })
  ).pipe(Effect.map(({ progress }) => progress))
}
