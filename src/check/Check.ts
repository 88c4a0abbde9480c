/**
 * The checks a run applies to each answer, as the Fetcher runs them: the accepted statuses and
 * compiled assertions. They are built by `makeExpectation` (`Expectation.ts`), which loads
 * JMESPath; this module loads nothing, so the Fetcher can import it at no start-up cost.
 *
 * Assertions see `{ status, headers, body, value, ms, url, attempts }`: `headers` are the
 * answer's (names lower-cased), `body` the parsed JSON or the text (also under `--no-body`),
 * `value` what the extractor gave.
 *
 * @module
 */
import type { AssertionError } from "../domain/FetchError.js"
import type { StatusList } from "./StatusList.js"

/** What an assertion looks at. */
export interface CheckedAnswer {
  readonly url: string
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: unknown
  readonly value: unknown
  readonly ms: number
  readonly attempts: number
}

/** A compiled `--assert` expression. */
export interface Assertion {
  readonly source: string
  /** `undefined` when the expression is truthy, else the failure. */
  readonly check: (answer: CheckedAnswer) => AssertionError | undefined
}

/** The checks of a run; a missing `status` keeps the 2xx rule. */
export interface Expectation {
  readonly status: StatusList | undefined
  readonly assertions: ReadonlyArray<Assertion>
}

/** Runs the assertions in order; the first that fails is the failure. */
export const firstFailure = (expectation: Expectation, answer: CheckedAnswer): AssertionError | undefined => {
  for (const assertion of expectation.assertions) {
    const failure = assertion.check(answer)
    if (failure !== undefined) return failure
  }
  return undefined
}
