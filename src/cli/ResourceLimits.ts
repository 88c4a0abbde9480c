/**
 * What the machine allows a run, checked before anything is sent: the concurrency cap, and the
 * open-file limit (`ulimit -n`) a concurrency above which would fail connections with `EMFILE`:
 * such a run is warned about and runs at what the limit holds (a connection that still meets
 * `EMFILE`, e.g. with idle sockets to other hosts, waits for a descriptor: see `Fetcher`).
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"

/**
 * The largest `--concurrency`. Each request in flight costs a socket, a fiber and a dozen pool
 * slots; past ten thousand at once one process gains nothing (one host's ephemeral ports run
 * out near 28,000) and memory grows with the number.
 */
export const maxConcurrency = 10_000

/** File descriptors a run needs besides its sockets: stdio, the output, the input, the runtime. */
export const reservedFiles = 32

/** The soft open-file limit from `/proc/self/limits` (Linux), when it can be read. */
export const parseOpenFileLimit = (limits: string): number | undefined => {
  const line = limits.split("\n").find((l) => l.startsWith("Max open files"))
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0]
  if (soft === undefined || soft === "unlimited") return undefined
  const n = Number(soft)
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

/** The soft open-file limit of this process, or undefined where it cannot be read. */
export const openFileLimit: Effect.Effect<number | undefined, never, FileSystem.FileSystem> = Effect.flatMap(
  FileSystem.FileSystem,
  (fs) =>
    fs.readFileString("/proc/self/limits").pipe(
      Effect.map(parseOpenFileLimit),
      Effect.orElseSucceed(() => undefined)
    )
)

/** The most requests a run can hold in flight under the open-file limit (no limit: `concurrency`). */
export const effectiveConcurrency = (concurrency: number, limit: number | undefined): number =>
  limit === undefined ? concurrency : Math.max(1, Math.min(concurrency, limit - reservedFiles))

/** The warning for a concurrency the open-file limit cannot hold, or undefined. */
export const openFileWarning = (concurrency: number, limit: number | undefined): string | undefined =>
  limit !== undefined && effectiveConcurrency(concurrency, limit) < concurrency
    ? `warning: --concurrency ${concurrency} is more than the open-file limit allows (ulimit -n ${limit}); ` +
      `running ${effectiveConcurrency(concurrency, limit)} at once — raise the limit to go faster\n`
    : undefined
