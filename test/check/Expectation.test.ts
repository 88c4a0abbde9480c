import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { CheckedAnswer } from "../../src/check/Check.js"
import { isTruthy, makeExpectation, parseAssertion } from "../../src/check/Expectation.js"

const answer = (overrides: Partial<CheckedAnswer> = {}): CheckedAnswer => ({
  url: "http://api.test/health",
  status: 200,
  headers: { "content-type": "application/json" },
  body: { status: "up", items: [1, 2] },
  value: undefined,
  ms: 12.5,
  attempts: 1,
  ...overrides
})

const check = (source: string, seen: CheckedAnswer) => Either.getOrThrow(parseAssertion(source)).check(seen)

describe("assertions", () => {
  it("pass when truthy, by JMESPath's rule", () => {
    expect(check("body.status == 'up'", answer())).toBeUndefined()
    expect(check("ms < `500`", answer())).toBeUndefined()
    expect(check("body.items", answer())).toBeUndefined()
    expect(check("headers.\"content-type\" == 'application/json'", answer())).toBeUndefined()
    expect([false, null, "", [], {}, undefined].map(isTruthy)).toEqual([false, false, false, false, false, false])
    expect([true, 0, "x", [0], { a: 1 }].map(isTruthy)).toEqual([true, true, true, true, true])
  })

  it("a failure names the expression and the value it saw (a comparison's left side)", () => {
    const failure = check("body.status == 'up'", answer({ body: { status: "down" } }))
    expect(failure).toMatchObject({
      _tag: "AssertionError",
      url: "http://api.test/health",
      expression: "body.status == 'up'",
      seen: "down",
      message: "assertion failed: body.status == 'up' (body.status is \"down\")"
    })
  })

  it("in a conjunction, the part that failed is the one shown", () => {
    const failure = check("status == `200` && ms < `10`", answer())
    expect(failure).toMatchObject({
      seen: 12.5,
      message: "assertion failed: status == `200` && ms < `10` (ms is 12.5)"
    })
  })

  it("a plain value that is not truthy is shown as it is", () => {
    expect(check("body.missing", answer())?.message).toBe("assertion failed: body.missing (body.missing is null)")
    expect(check("length(body.items) > `5`", answer())?.message).toBe(
      "assertion failed: length(body.items) > `5` (saw 2)"
    )
  })

  it("an expression that fails at run time (a type error) is a failed assertion, not a crash", () => {
    expect(check("length(status) > `1`", answer())).toMatchObject({ _tag: "AssertionError", seen: null })
  })
})

describe("makeExpectation", () => {
  it.effect("nothing asked, nothing made", () =>
    Effect.gen(function*() {
      expect(yield* makeExpectation({})).toBeUndefined()
    }))

  it.effect("compiles a status list and assertions", () =>
    Effect.gen(function*() {
      const expectation = yield* makeExpectation({ status: "200,304", assert: ["body.status == 'up'"] })
      expect(expectation?.status?.accepts(304)).toBe(true)
      expect(expectation?.status?.accepts(201)).toBe(false)
      expect(expectation?.assertions.map((a) => a.source)).toEqual(["body.status == 'up'"])
    }))

  it.effect("a bad list or expression is a UsageError naming the flag", () =>
    Effect.gen(function*() {
      const badStatus = yield* Effect.flip(makeExpectation({ status: "abc" }))
      expect(badStatus.message).toBe(
        "--expect-status: 'abc' is not a status code, a class such as 2xx, or a range such as 200-299"
      )
      const badAssert = yield* Effect.flip(makeExpectation({ assert: ["body.status =="] }))
      expect(badAssert.message).toMatch(/^--assert: invalid JMESPath expression 'body.status ==': /)
    }))
})
