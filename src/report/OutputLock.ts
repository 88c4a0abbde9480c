/**
 * One writer per output file. `--output FILE` holds `FILE.volley-lock` — created exclusively,
 * holding the pid of the run — from before the file is read (`--resume`) until the run has
 * closed it, so two runs never append to (or rename over) the same file. A second run exits at
 * once naming the holder. A lock left by a run that died (`kill -9`) names a pid that is gone:
 * it is taken over, and the temporary files that run left are removed.
 *
 * Why not `proper-lockfile`: it tells a stale lock by its age (a timer refreshes it) and keeps no
 * pid, so it cannot name the holder, and a run stopped with SIGSTOP or a slow disk loses its lock;
 * a pid checked with `kill(pid, 0)` says exactly whether the holder still runs.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { UsageError } from "../domain/UsageError.js"
import { removeOnHardExit } from "../engine/ExitCleanup.js"

/** The lock file of an output. */
export const lockPathOf = (path: string) => `${path}.volley-lock`

/** Whether process `pid` exists (EPERM: it does, but belongs to someone else). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { readonly code?: unknown }).code === "EPERM"
  }
}

const parsePid = (text: string): number | undefined => {
  const pid = Number(text.trim())
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

/** The suffixes of the temporary files a run makes next to its output. */
const leftoverMarks = [".volley-tmp-", ".volley-resume-", ".volley-lock.stale-"] as const

/**
 * Takes the lock of `path` for the current scope, then removes the temporary files runs that
 * died left next to it. Devices and pipes (`-o /dev/null`) are not locked.
 */
export const acquireOutputLock = (
  path: string
): Effect.Effect<void, UsageError, FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const existing = yield* fs.stat(path).pipe(Effect.option)
    if (Option.isSome(existing) && existing.value.type !== "File") return
    const lock = lockPathOf(path)
    const mine = `${process.pid}\n`
    const cannot = (what: string) => (error: { readonly message: string }) =>
      new UsageError({ message: `--output ${path}: cannot ${what} the lock ${lock}: ${error.message}` })

    const tryCreate = fs.writeFileString(lock, mine, { flag: "wx" }).pipe(
      Effect.as(true),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "AlreadyExists", () =>
        Effect.succeed(false)),
      Effect.mapError(cannot("create"))
    )
    /** Moves a stale lock aside (only one run can), unless it changed since it was read. */
    const takeOver = (seen: string) =>
      Effect.gen(function*() {
        const aside = `${lock}.stale-${process.pid}`
        const moved = yield* fs.rename(lock, aside).pipe(
          Effect.as(true),
          Effect.catchIf((error) =>
            error._tag === "SystemError" && error.reason === "NotFound", () =>
            Effect.succeed(false)),
          Effect.mapError(cannot("take over"))
        )
        if (!moved) {
          return
        }
        const content = yield* fs.readFileString(aside).pipe(Effect.orElseSucceed(() =>
          ""
        ))
        // Another run took the stale lock over and made its own in between: give it back.
        if (content !== seen) yield* Effect.ignore(fs.link(aside, lock))
        yield* Effect.ignore(fs.remove(aside))
      })

    let acquired = false
    for (let tries = 0; !acquired && tries < 20; tries++) {
      acquired = yield* tryCreate
      if (acquired) break
      const content = yield* fs.readFileString(lock).pipe(Effect.orElseSucceed(() => ""))
      const pid = parsePid(content)
      if (pid === undefined && content === "" && tries < 3) {
        // Being written by the run that just created it: look again in a moment.
        yield* Effect.sleep("20 millis")
        continue
      }
      if (pid !== undefined && (pid === process.pid || isAlive(pid))) {
        return yield* new UsageError({
          message: `--output ${path}: in use by another volley run (pid ${pid}); its lock is ${lock}`
        })
      }
      yield* takeOver(content)
    }
    if (!acquired) return yield* new UsageError({ message: `--output ${path}: cannot take the lock ${lock}` })

    yield* Effect.addFinalizer(() =>
      fs.readFileString(lock).pipe(
        Effect.flatMap((content) => content === mine ? fs.remove(lock) : Effect.void),
        Effect.ignore
      )
    )
    yield* removeOnHardExit(lock)

    // Holding the lock, any temporary file of this output belongs to a run that is gone.
    const pathService = yield* Path.Path
    const dir = pathService.dirname(path)
    const base = pathService.basename(path)
    const names = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    yield* Effect.forEach(
      names.filter((name) => leftoverMarks.some((mark) => name.startsWith(base + mark))),
      (name) => Effect.ignore(fs.remove(pathService.join(dir, name))),
      { discard: true }
    )
  })
