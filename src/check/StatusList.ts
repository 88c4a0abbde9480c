/**
 * The statuses a run accepts, written as `--expect-status` takes them: single codes (`200`),
 * classes (`2xx`) and ranges (`200-299`), separated by commas (`200-299,404`).
 *
 * @module
 */
import * as Either from "effect/Either"

/** A parsed status list: what it was written as, and whether it accepts a status. */
export interface StatusList {
  readonly source: string
  readonly accepts: (status: number) => boolean
}

const lowest = 100
const highest = 599

const code = /^\d{3}$/
const statusClass = /^([1-5])xx$/i
const range = /^(\d{3})\s*-\s*(\d{3})$/

/** The 2xx rule: what volley accepts when no list is given. */
export const successOnly: StatusList = { source: "2xx", accepts: (status) => status >= 200 && status < 300 }

/**
 * Parses a status list; a bad part is named in the reason (`'20x' is not a status code, a class
 * such as 2xx, or a range such as 200-299`).
 */
export const parseStatusList = (source: string): Either.Either<StatusList, string> => {
  const parts = source.split(",").map((part) => part.trim())
  if (parts.every((part) => part === "")) return Either.left("empty status list")
  // One flag per status: the check runs for every answer, so it is a table look-up.
  const accepted = new Uint8Array(highest + 1)
  const inRange = (n: number) => n >= lowest && n <= highest
  for (const part of parts) {
    if (part === "") return Either.left(`empty entry in '${source}'`)
    let from: number
    let to: number
    const classMatch = statusClass.exec(part)
    const rangeMatch = range.exec(part)
    if (code.test(part)) {
      from = to = Number(part)
    } else if (classMatch !== null) {
      from = Number(classMatch[1]) * 100
      to = from + 99
    } else if (rangeMatch !== null) {
      from = Number(rangeMatch[1])
      to = Number(rangeMatch[2])
      if (from > to) return Either.left(`range '${part}' ends before it starts`)
    } else {
      return Either.left(`'${part}' is not a status code, a class such as 2xx, or a range such as 200-299`)
    }
    if (!inRange(from) || !inRange(to)) return Either.left(`'${part}' is outside the statuses ${lowest}-${highest}`)
    accepted.fill(1, from, to + 1)
  }
  return Either.right({
    source: parts.join(","),
    accepts: (status) => status >= 0 && status <= highest && accepted[status] === 1
  })
}
