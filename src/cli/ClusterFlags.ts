/**
 * The flags of the cluster mode (`--cluster URL` and its companions), shared by `volley fetch`,
 * `volley worker`, `volley runs` and `volley cluster`.
 *
 * @module
 */
import * as Options from "@effect/cli/Options"
import * as Either from "effect/Either"
import { Defaults } from "../domain/Defaults.js"
import { UsageError } from "../domain/UsageError.js"
import { optionalText, positiveIntOption } from "./OptionParsers.js"

/** `--cluster postgres://…`: run on the cluster whose database this is. */
export const clusterOption = optionalText(
  "cluster",
  "URL",
  "run on a cluster: its PostgreSQL database (postgres://user@host:5432/db); see volley worker"
)

/** The flags `volley fetch` takes for the cluster mode. */
export const fetchClusterOptions = {
  cluster: clusterOption,
  buckets: positiveIntOption("buckets", Defaults.clusterBuckets, { max: 100_000 }).pipe(
    Options.withDescription("with --cluster: host buckets (one owner each); many more than workers")
  ),
  chunkSize: positiveIntOption("chunk-size", Defaults.clusterChunkSize, { max: 100_000 }).pipe(
    Options.withDescription("with --cluster: inputs per chunk (one stored batch per bucket in a chunk)")
  ),
  resendUnsafe: Options.boolean("resend-unsafe").pipe(
    Options.withDescription("with --cluster: send POST/PUT/… again after a worker died (else: outcome unknown)")
  )
} as const

/** The URL of `--cluster`, or a usage error when it is not a PostgreSQL URL. */
export const clusterUrl = (text: string): Either.Either<string, UsageError> => {
  try {
    const url = new URL(text)
    if (url.protocol === "postgres:" || url.protocol === "postgresql:") return Either.right(text)
  } catch {
    // said below
  }
  return Either.left(new UsageError({ message: `--cluster: '${text}' is not a postgres:// URL` }))
}

/** `HOST:PORT` (`[::1]:PORT` for IPv6), or why not. */
export const parseHostPort = (
  flag: string,
  text: string
): Either.Either<{ host: string; port: number }, UsageError> => {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text)
  const port = match === null ? NaN : Number(match[3])
  if (match === null || !(port >= 0 && port <= 65535)) {
    return Either.left(new UsageError({ message: `${flag}: '${text}' is not HOST:PORT` }))
  }
  return Either.right({ host: match[1] ?? match[2]!, port })
}
