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
        etaBuffer: 200,
        fps: 10,
        // Draw even on a pipe when asked for explicitly with --progress.
        noTTYOutput: true,
        notTTYSchedule: 500
      }, Presets.shades_classic)
      const started = Date.now()
      bar.start(options.total ?? 0, 0, { rate: "0", failed: 0 })
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
    ({ bar }) => Effect.sync(() => bar.stop())
  ).pipe(Effect.map(({ progress }) => progress))
}
