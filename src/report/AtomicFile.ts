/**
 * A file that appears whole or not at all: written under a temporary name beside its target and
 * renamed onto it by `commit` (after a sync), so a reader, a crash or a full disk never leaves half
 * a JSON array, half a JUnit report or half a rewritten resume file. The one place volley writes
 * that way (`--output` JSON and JUnit, `volley run -o`, `--resume`'s rewrite).
 *
 * @module
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { removeOnHardExit } from "../engine/ExitCleanup.js"

/** The temporary name a file is written to before its rename. */
export const tempPathOf = (path: string, pid: number = process.pid) => `${path}.volley-tmp-${pid}`

export interface AtomicFile {
  readonly file: FileSystem.File
  /** The temporary path being written. */
  readonly temp: string
  /** Syncs the data and renames the file onto its target; until then the target is untouched. */
  readonly commit: Effect.Effect<void, PlatformError>
}

/** Devices and pipes (`-o /dev/null`) cannot be synced; only a regular file's data is at stake. */
export const syncIfPossible = (file: FileSystem.File) =>
  Effect.catchIf(file.sync, (error) => /EINVAL|ENOTSUP/.test(error.message), () => Effect.void)

/**
 * Opens `temp` (by default `path.volley-tmp-PID`) for writing. Closing the scope without `commit`
 * removes it; so does a hard exit (a second Ctrl-C), which runs no finalizer.
 */
export const openAtomic = (
  path: string,
  temp: string = tempPathOf(path)
): Effect.Effect<AtomicFile, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    yield* removeOnHardExit(temp)
    let committed = false
    yield* Effect.addFinalizer(() => committed ? Effect.void : Effect.ignore(fs.remove(temp)))
    const file = yield* fs.open(temp, { flag: "w" })
    const commit = Effect.gen(function*() {
      yield* syncIfPossible(file)
      yield* fs.rename(temp, path)
      committed = true
    })
    return { file, temp, commit }
  })

/** Writes `text` to `path` whole or not at all. */
export const writeFileAtomically = (
  path: string,
  text: string
): Effect.Effect<void, PlatformError, FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const atomic = yield* openAtomic(path)
    yield* atomic.file.writeAll(new TextEncoder().encode(text))
    yield* atomic.commit
  }))
