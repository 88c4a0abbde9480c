/**
 * Brace ranges in URLs, as in the shell: `page={1..100}`, zero-padded `{001..100}`, a step
 * `{0..100..10}`, counting down `{5..1}`. Several ranges in one URL expand as nested loops, the
 * first one outermost. Expansion is lazy, so `{1..1000000}` costs no memory.
 *
 * @module
 */
import * as Either from "effect/Either"

const rangePattern = /\{(-?\d+)\.\.(-?\d+)(?:\.\.(\d+))?\}/

interface Range {
  readonly from: number
  readonly to: number
  readonly step: number
  readonly width: number
}

const parseRange = (match: RegExpExecArray): Either.Either<Range, string> => {
  const [text, fromText, toText, stepText] = match as unknown as [string, string, string, string | undefined]
  const from = Number(fromText)
  const to = Number(toText)
  const step = stepText === undefined ? 1 : Number(stepText)
  if (step === 0) return Either.left(`range ${text} has a step of 0`)
  // Past 2^53, n + step === n: the range would never end.
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || !Number.isSafeInteger(step)) {
    return Either.left(`range ${text} has a number beyond 2^53`)
  }
  // `{001..100}` pads every number to the width of the longer bound written with a leading zero.
  const padded = /^-?0\d/.test(fromText) || /^-?0\d/.test(toText)
  const width = padded ? Math.max(fromText.length, toText.length) : 0
  return Either.right({ from, to, step, width })
}

const format = (n: number, width: number) =>
  width === 0 ? String(n) : n < 0 ? "-" + String(-n).padStart(width - 1, "0") : String(n).padStart(width, "0")

/**
 * The most ranges one URL expands; later ones are left as written. Each range is one nested
 * generator, so a line of 100,000 ranges would otherwise overflow the stack.
 */
export const maxRangesPerUrl = 16

function* expandFrom(template: string, depth = 0): Generator<string> {
  const match = depth >= maxRangesPerUrl ? null : rangePattern.exec(template)
  if (match === null) {
    yield template
    return
  }
  const parsed = parseRange(match)
  if (Either.isLeft(parsed)) {
    yield template
    return
  }
  const range = parsed.right
  const head = template.slice(0, match.index)
  const tail = template.slice(match.index + match[0].length)
  const down = range.to < range.from
  for (let n = range.from; down ? n >= range.to : n <= range.to; n += down ? -range.step : range.step) {
    for (const rest of expandFrom(tail, depth + 1)) yield head + format(n, range.width) + rest
  }
}

/** Braces around `..`: meant as a range, whether or not it is one (`{3..x}`, `{1..}`). */
const rangeLike = /\{[^{}]*\.\.[^{}]*\}/g

/** Checks every range in `template`; the error names the bad range. */
export const validateRanges = (template: string): Either.Either<string, string> => {
  for (const [text] of template.matchAll(rangeLike)) {
    if (!new RegExp(`^${rangePattern.source}$`).test(text)) {
      return Either.left(`${text} is not a range (write {1..10}, {001..100} or {0..100..10})`)
    }
  }
  const global = new RegExp(rangePattern.source, "g")
  let ranges = 0
  for (const match of template.matchAll(global)) {
    if (++ranges > maxRangesPerUrl) return Either.left(`more than ${maxRangesPerUrl} ranges in one URL`)
    const checked = parseRange(match as RegExpExecArray)
    if (Either.isLeft(checked)) return Either.left(checked.left)
  }
  return Either.right(template)
}

/** Expands the ranges of one URL template, lazily. Validate it first with `validateRanges`. */
export const expandRanges = (template: string): Iterable<string> => ({
  [Symbol.iterator]: () => expandFrom(template)
})

/** How many URLs a template expands to. */
export const countExpansions = (template: string): number => {
  let count = 1
  let ranges = 0
  const global = new RegExp(rangePattern.source, "g")
  for (const match of template.matchAll(global)) {
    if (++ranges > maxRangesPerUrl) break
    const range = parseRange(match as RegExpExecArray)
    if (Either.isLeft(range)) return 0
    const { from, step, to } = range.right
    count *= Math.floor(Math.abs(to - from) / step) + 1
  }
  return count
}
