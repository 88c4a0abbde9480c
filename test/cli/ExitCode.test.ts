/**
 * How output failures end the program: a failed write is exit 2 with a plain line, a reader
 * gone (EPIPE) is 141 and silent — for `fetch` and for any other command writing to stdout.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Exit, FiberId } from "effect"
import { ExitCode, outcomeOf } from "../../src/cli/ExitCode.js"
import { TransportError } from "../../src/domain/FetchError.js"
import { OutputClosed, OutputError, WriteFailure } from "../../src/domain/OutputError.js"
import { Interrupted, SomeRecordsFailed } from "../../src/domain/RunOutcome.js"
import { UsageError } from "../../src/domain/UsageError.js"

describe("ExitCode", () => {
  it("output failures: 2 with the message, 141 without a word", () => {
    const full = new OutputError({
      code: "ENOSPC",
      written: 496,
      message: "stdout: no space left on device; 496 records written"
    })
    expect(outcomeOf(Exit.fail(full))).toEqual({
      code: 2,
      message: "volley: stdout: no space left on device; 496 records written"
    })
    expect(outcomeOf(Exit.fail(new OutputClosed({ written: 2, message: "gone" })))).toEqual({ code: 141 })
    expect(outcomeOf(Exit.fail(new WriteFailure({ code: "EPIPE", message: "EPIPE: broken pipe" })))).toEqual({
      code: 141
    })
    expect(outcomeOf(Exit.fail(new WriteFailure({ code: "EIO", message: "EIO: i/o error, write" })))).toEqual({
      code: 2,
      message: "volley: stdout: input/output error"
    })
    expect(outcomeOf(Exit.fail(new WriteFailure({ message: "FileSystem.writeAll (18): EXDEV: odd, write" }))))
      .toEqual({ code: 2, message: "volley: stdout: odd, write" })
  })

  it("every outcome has its code: 0 ok, 1 some failed (silent), 2 usage with its line, 130 interrupted", () => {
    expect(outcomeOf(Exit.void)).toEqual({ code: ExitCode.ok })
    expect(outcomeOf(Exit.fail(new SomeRecordsFailed({ failed: 1, total: 3, message: "1 failed" })))).toEqual({
      code: 1
    })
    expect(outcomeOf(Exit.fail(new UsageError({ message: "--concurrency: must be at least 1" })))).toEqual({
      code: 2,
      message: "volley: --concurrency: must be at least 1"
    })
    expect(outcomeOf(Exit.fail(new Interrupted({ message: "stopped" })))).toEqual({ code: 130 })
    expect(outcomeOf(Exit.failCause(Cause.interrupt(FiberId.none)))).toEqual({ code: 130 })
  })

  it("anything else is 70 with one line: an unexpected failure by its tag, a defect by its message", () => {
    expect(outcomeOf(Exit.fail(new TransportError({ url: "http://x/", message: "ECONNRESET" })))).toEqual({
      code: 70,
      message: "volley: unexpected TransportError: ECONNRESET"
    })
    expect(outcomeOf(Exit.fail("odd"))).toEqual({ code: 70, message: "volley: unexpected error: odd" })
    expect(outcomeOf(Exit.die(new Error("boom")))).toEqual({
      code: 70,
      message: "volley: internal error: boom (set VOLLEY_DEBUG=1 for details)"
    })
  })
})
