/**
 * "Did you mean …?": the known name closest to a mistyped one, for flags, commands and the keys
 * of a workflow file.
 *
 * @module
 */

/** The edit distance between two words (insertions, deletions, substitutions). */
export const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate closest to `given` within `maxDistance` edits (ties: the first), else one that
 * `given` is a prefix of when only one is (`--max` → `--max-body` would be ambiguous).
 */
export const closestName = (
  given: string,
  candidates: Iterable<string>,
  maxDistance = 2
): string | undefined => {
  let best: { readonly name: string; readonly distance: number } | undefined
  const prefixed: Array<string> = []
  for (const name of candidates) {
    const distance = editDistance(given.toLowerCase(), name.toLowerCase())
    if (distance <= maxDistance && (best === undefined || distance < best.distance)) best = { name, distance }
    if (given.length > 3 && name.startsWith(given)) prefixed.push(name)
  }
  return best?.name ?? (prefixed.length === 1 ? prefixed[0] : undefined)
}
