/**
 * What a run expects of each answer, beyond arriving: the statuses it accepts (`--expect-status`,
 * which replaces the 2xx rule) and JMESPath assertions over the record (`--assert`), which must
 * be truthy. A failed assertion is an `AssertionError` naming the expression and the value it saw.
 *
 * This module compiles the checks (it loads JMESPath, so commands import it only when a flag
 * asks for checks); `Check.ts` holds what the Fetcher runs.
 *
 * @module
 */
import { compile, type JSONValue, TreeInterpreter } from "@jmespath-community/jmespath"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { messageOf } from "../domain/ErrorText.js"
import { AssertionError } from "../domain/FetchError.js"
import { UsageError } from "../domain/UsageError.js"
import type { Assertion, Expectation } from "./Check.js"
import { parseStatusList } from "./StatusList.js"

/** A parsed JMESPath expression (the library does not export the type by name). */
type ExpressionNode = ReturnType<typeof compile>

/** JMESPath's truth: `false`, `null`, `""`, `[]` and `{}` are false, everything else true. */
export const isTruthy = (value: unknown): boolean =>
  !(value === false || value === null || value === undefined || value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0))

/** A short name for a plain path (`body.status`, `items[0]`), for messages; else undefined. */
const pathOf = (node: ExpressionNode): string | undefined => {
  switch (node.type) {
    case "Field":
      return node.name
    case "Current":
      return "@"
    case "Subexpression": {
      const left = pathOf(node.left)
      const right = pathOf(node.right)
      return left === undefined || right === undefined ? undefined : `${left}.${right}`
    }
    case "IndexExpression": {
      const left = pathOf(node.left)
      return left !== undefined && node.right.type === "Index" ? `${left}[${node.right.value}]` : undefined
    }
    default:
      return undefined
  }
}

/** The value worth showing when `node` is not truthy: a comparison's left side, a failing conjunct. */
const witness = (
  node: ExpressionNode,
  data: JSONValue
): { readonly seen: unknown; readonly of: string | undefined } => {
  if (node.type === "AndExpression") {
    const left = TreeInterpreter.search(node.left, data)
    return isTruthy(left) ? witness(node.right, data) : witness(node.left, data)
  }
  if (node.type === "Comparator") {
    return { seen: TreeInterpreter.search(node.left, data), of: pathOf(node.left) }
  }
  return { seen: TreeInterpreter.search(node, data), of: pathOf(node) }
}

/** A value on one line, cut short, for messages. */
const show = (value: unknown): string => {
  const text = value === undefined ? "null" : JSON.stringify(value)
  return text.length > 80 ? text.slice(0, 80) + "…" : text
}

/** Compiles an assertion; a syntax error is the reason. */
export const parseAssertion = (source: string): Either.Either<Assertion, string> => {
  let ast: ExpressionNode
  try {
    ast = compile(source)
  } catch (cause) {
    return Either.left(messageOf(cause))
  }
  return Either.right({
    source,
    check: (answer) => {
      const data = answer as unknown as JSONValue
      try {
        if (isTruthy(TreeInterpreter.search(ast, data))) return undefined
        const { of, seen } = witness(ast, data)
        return new AssertionError({
          url: answer.url,
          expression: source,
          seen,
          message: `assertion failed: ${source} (${of === undefined ? "saw" : `${of} is`} ${show(seen)})`
        })
      } catch (cause) {
        return new AssertionError({
          url: answer.url,
          expression: source,
          seen: null,
          message: `assertion failed: ${source} (${messageOf(cause)})`
        })
      }
    }
  })
}

/** How the checks were written: a status list and/or assertions, each naming where it came from. */
export interface ExpectationInput {
  readonly status?: string | undefined
  readonly assert?: ReadonlyArray<string> | undefined
  /** Names used in messages (`--expect-status`, `--assert`, or a workflow's field). */
  readonly statusFlag?: string | undefined
  readonly assertFlag?: string | undefined
}

/**
 * Compiles the checks, or `undefined` when none are given; a bad status list or expression is a
 * `UsageError` naming the flag, before any request is sent.
 */
export const makeExpectation = (input: ExpectationInput): Effect.Effect<Expectation | undefined, UsageError> =>
  Effect.gen(function*() {
    const asserts = input.assert ?? []
    if (input.status === undefined && asserts.length === 0) return undefined
    const status = input.status === undefined ? undefined : yield* Either.match(parseStatusList(input.status), {
      onLeft: (reason) =>
        Effect.fail(new UsageError({ message: `${input.statusFlag ?? "--expect-status"}: ${reason}` })),
      onRight: Effect.succeed
    })
    const assertions: Array<Assertion> = []
    for (const source of asserts) {
      assertions.push(
        yield* Either.match(parseAssertion(source), {
          onLeft: (reason) =>
            Effect.fail(
              new UsageError({
                message: `${input.assertFlag ?? "--assert"}: invalid JMESPath expression '${source}': ${reason}`
              })
            ),
          onRight: Effect.succeed
        })
      )
    }
    return { status, assertions }
  })
