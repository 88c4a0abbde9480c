/**
 * How the program ends: the exit code for each outcome, and the one line printed for it.
 *
 * 0 all ok; 1 some records failed; 2 usage or set-up error, or the output failed (a full
 * disk); 130 interrupted; 141 the reader of stdout went away (EPIPE, as a tool killed by
 * SIGPIPE), said nothing about; 70 a bug.
 *
 * @module
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { messageOf } from "../domain/ErrorText.js"
import { describeWriteFailure, WriteFailure } from "../domain/OutputError.js"

export const ExitCode = {
  ok: 0,
  someFailed: 1,
  usage: 2,
  internal: 70,
  interrupted: 130,
  cancelled: 3,
  brokenPipe: 141
} as const

/** The exit code and, when something must be said, the line to print on stderr. */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): { readonly code: number; readonly message?: string } => {
  if (Exit.isSuccess(exit)) return { code: ExitCode.ok }
  if (Cause.isInterruptedOnly(exit.cause)) return { code: ExitCode.interrupted }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    // @effect/cli has already printed what was wrong with the command line.
    if (ValidationError.isValidationError(error)) {
      return ValidationError.isHelpRequested(error) ? { code: ExitCode.ok } : { code: ExitCode.usage }
    }
    const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
    const message = typeof error === "object" && error !== null && "message" in error
      ? String(error.message)
      : String(error)
    if (tag === "SomeRecordsFailed") return { code: ExitCode.someFailed }
    if (tag === "Interrupted") return { code: ExitCode.interrupted }
    if (tag === "UsageError" || tag === "OutputError" || tag === "InvalidExpression") {
      return { code: ExitCode.usage, message: `volley: ${message}` }
    }
    if (tag === "RunCancelled") return { code: ExitCode.cancelled, message: `volley: ${message}` }
    if (tag === "OutputClosed") return { code: ExitCode.brokenPipe }
    // Another command's write to stdout (a workflow's report, the demo) that failed.
    if (error instanceof WriteFailure) {
      return error.code === "EPIPE"
        ? { code: ExitCode.brokenPipe }
        : { code: ExitCode.usage, message: `volley: stdout: ${describeWriteFailure(error)}` }
    }
    return { code: ExitCode.internal, message: `volley: unexpected ${tag || "error"}: ${message}` }
  }
  const defect = Cause.dieOption(exit.cause)
  const reason = Option.match(defect, {
    onNone: () => "unknown failure",
    onSome: (d) => messageOf(d)
  })
  return { code: ExitCode.internal, message: `volley: internal error: ${reason} (set VOLLEY_DEBUG=1 for details)` }
}
