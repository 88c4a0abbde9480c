/**
 * Failures of the output itself (standard output or `--output FILE`), as opposed to the
 * per-record failures of a fetch. A write that fails ends the run: nothing is reported as done
 * that was not written.
 *
 * @module
 */
import * as Schema from "effect/Schema"

/**
 * Writing the records failed (a full disk, an I/O error): exit code 2. `message` says what
 * happened in plain words, how many records are safe, and how to continue.
 */
export class OutputError extends Schema.TaggedError<OutputError>()("OutputError", {
  /** The system error code (`ENOSPC`, `EIO`), when there is one. */
  code: Schema.optional(Schema.String),
  /** Records wholly written before the failure. */
  written: Schema.Number,
  message: Schema.String
}) {}

/**
 * The reader of standard output went away (`| head -2`: EPIPE). The run stops at once and
 * quietly, as `curl` and the shell tools do.
 */
export class OutputClosed extends Schema.TaggedError<OutputClosed>()("OutputClosed", {
  written: Schema.Number,
  message: Schema.String
}) {}

/** A low-level write failure: the system error code and its text. */
export class WriteFailure extends Schema.TaggedError<WriteFailure>()("WriteFailure", {
  code: Schema.optional(Schema.String),
  message: Schema.String
}) {}

const plainWords: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EPIPE: "the reader closed the pipe",
  EBADF: "the output is not open for writing",
  ENXIO: "no such device",
  EAGAIN: "the output is not ready (non-blocking)"
}

/** The error code of a Node system error, wherever it sits (`code`, or a `cause`'s). */
export const systemErrorCode = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const code = (error as { readonly code?: unknown }).code
  if (typeof code === "string") return code
  const cause = (error as { readonly cause?: unknown }).cause
  return cause === error ? undefined : systemErrorCode(cause)
}

/** A write failure in plain words: `no space left on device`, else the system's own text. */
export const describeWriteFailure = (failure: WriteFailure): string => {
  const known = failure.code === undefined ? undefined : plainWords[failure.code]
  if (known !== undefined) return known
  // `FileSystem.writeAll (18): ENOSPC: no space left…` → the part after the code.
  const text = failure.message.replace(/^.*?\b(E[A-Z]+): /, "")
  return text === "" ? "write failed" : text
}

/** A `WriteFailure` from anything a write threw or failed with. */
export const writeFailureOf = (error: unknown): WriteFailure => {
  const code = systemErrorCode(error) ?? (
    typeof error === "object" && error !== null && "message" in error
      ? /\b(E[A-Z]{2,})\b/.exec(String(error.message))?.[1]
      : undefined
  )
  const message = typeof error === "object" && error !== null && "message" in error
    ? String(error.message)
    : String(error)
  return new WriteFailure({ ...(code === undefined ? {} : { code }), message })
}
