/**
 * Files a run must not leave behind (its lock file, its temporary files), for the one exit that
 * runs no finalizer: a second Ctrl-C, which ends the process at once. Every other exit path
 * removes them through its scope; this list is the last resort, removed synchronously.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import { unlinkSync } from "node:fs"

const paths = new Set<string>()

/** Adds `path` to the files removed on a hard exit; removed from the list when the scope closes. */
export const removeOnHardExit = (path: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      paths.add(path)
    }),
    () =>
      Effect.sync(() => {
        paths.delete(path)
      })
  )

/** Removes every listed file now (best effort); for the signal handler that exits at once. */
export const removeAllNow = (): void => {
  for (const path of paths) {
    try {
      unlinkSync(path)
    } catch {
      // Already gone, or not ours to remove: nothing left to do on the way out.
    }
  }
  paths.clear()
}
