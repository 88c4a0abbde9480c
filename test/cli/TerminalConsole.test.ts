import { describe, expect, it } from "@effect/vitest"
import { usageLine } from "../../src/cli/TerminalConsole.js"

describe("usageLine", () => {
  it("prints @effect/cli's usage errors as volley's one line", () => {
    expect(usageLine("--timeout: '1x' is not a duration")).toBe("volley: --timeout: '1x' is not a duration")
    expect(usageLine("(Invalid data at : \"VOLLEY_TIMEOUT: '1x' is not a duration\")")).toBe(
      "volley: VOLLEY_TIMEOUT: '1x' is not a duration"
    )
    expect(usageLine("Missing argument <workflow.yaml>\n\n")).toBe("volley: Missing argument <workflow.yaml>")
    expect(usageLine("first\n  second\n")).toBe("volley: first; second")
    expect(usageLine("volley: already")).toBe("volley: already")
  })
})
