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
