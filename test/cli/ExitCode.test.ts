/**
 * How output failures end the program: a failed write is exit 2 with a plain line, a reader
 * gone (EPIPE) is 141 and silent — for `fetch` and for any other command writing to stdout.
 */
import { describe, expect, it } from "@effect/vitest"
import { Exit } from "effect"
import { outcomeOf } from "../../src/cli/ExitCode.js"
import { OutputClosed, OutputError, WriteFailure } from "../../src/domain/OutputError.js"

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
})
