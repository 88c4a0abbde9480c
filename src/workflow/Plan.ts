/**
 * The order of a workflow: each step's dependencies (from its references and `needs`), cycles,
 * and the waves of steps that can run side by side.
 *
 * @module
 */
import * as Either from "effect/Either"

/** For each step, the steps it waits for. */
export type Dependencies = ReadonlyMap<string, ReadonlyArray<string>>

/** Finds a cycle and names it (`a -> b -> a`). */
export const findCycle = (deps: Dependencies): string | undefined => {
  const state = new Map<string, "visiting" | "done">()
  const path: Array<string> = []
  const visit = (step: string): string | undefined => {
    if (state.get(step) === "done") return undefined
    if (state.get(step) === "visiting") return [...path.slice(path.indexOf(step)), step].join(" -> ")
    state.set(step, "visiting")
    path.push(step)
    for (const dep of deps.get(step) ?? []) {
      const cycle = visit(dep)
      if (cycle !== undefined) return cycle
    }
    path.pop()
    state.set(step, "done")
    return undefined
  }
  for (const step of deps.keys()) {
    const cycle = visit(step)
    if (cycle !== undefined) return cycle
  }
  return undefined
}

/** Steps in waves: every step of a wave depends only on earlier waves. */
export const planWaves = (deps: Dependencies): Either.Either<ReadonlyArray<ReadonlyArray<string>>, string> => {
  const cycle = findCycle(deps)
  if (cycle !== undefined) return Either.left(`cycle: ${cycle}`)
  const waves: Array<Array<string>> = []
  const placed = new Set<string>()
  while (placed.size < deps.size) {
    const wave = [...deps.keys()].filter((s) => !placed.has(s) && (deps.get(s) ?? []).every((d) => placed.has(d)))
    wave.forEach((s) => placed.add(s))
    waves.push(wave)
  }
  return Either.right(waves)
}
