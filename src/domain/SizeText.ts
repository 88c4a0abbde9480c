/**
 * Byte sizes as people write them: `10MiB`, `512KiB`, `1MB`, `2M`, or a plain number of bytes.
 * `K`/`M`/`G` alone mean binary units, as in curl.
 *
 * @module
 */
import * as Either from "effect/Either"

const multipliers: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3
}

/** Parses a size in bytes, or says what is wrong with it. */
export const parseSize = (text: string): Either.Either<number, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const multiplier = match === null ? undefined : multipliers[match[2]!.toLowerCase()]
  return match === null || multiplier === undefined
    ? Either.left(`'${text}' is not a size (examples: 512KiB, 10MiB, 1GB)`)
    : Either.right(Math.floor(Number(match[1]) * multiplier))
}

/** A size for messages, in the largest binary unit that holds it whole: `10MiB`, `1536B`. */
export const formatSize = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB"] as const
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024
    unit++
  }
  return `${value}${units[unit]}`
}
