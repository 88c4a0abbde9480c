/**
 * JMESPath (the AWS CLI `--query` language) over JSON bodies and over workflow contexts, on the
 * maintained `@jmespath-community/jmespath` implementation.
 *
 * @module
 */
import { compile, type JSONValue, TreeInterpreter } from "@jmespath-community/jmespath"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { messageOf } from "../domain/ErrorText.js"
import { ExtractError } from "../domain/FetchError.js"
import { InvalidExpression } from "../domain/InvalidExpression.js"
import { notJson } from "../domain/ResponseBody.js"
import type { Extractor } from "./Extractor.js"

/** A parsed JMESPath expression, ready to run against any JSON value. */
export interface JmesPathQuery {
  readonly source: string
  readonly search: (data: unknown) => Either.Either<unknown, string>
  /** What it reads from the root of its input: top-level names, and `vars.NAME`'s names. */
  readonly roots: RootReferences
}

/** The names an expression reads from the root of the value it runs on. */
export interface RootReferences {
  /** Top-level fields (`users` in `users.body[0]`, both in `a.body || b.body`). */
  readonly names: ReadonlyArray<string>
  /** The second field wherever the first is `vars` (`base` in `vars.base`). */
  readonly vars: ReadonlyArray<string>
}

type AstNode = { readonly type: string } & Record<string, unknown>

const isNode = (value: unknown): value is AstNode =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"

/**
 * Walks a parsed expression for the fields it reads at the root. A node's left side (and every
 * operand of `||`, `&&`, comparisons, lists, objects, function arguments) is read where the node
 * is; the right side of `.`, `|`, a projection or a filter, and `&expr`, are read on what the left
 * side gave, so they name nothing at the root.
 */
const rootReferences = (ast: unknown): RootReferences => {
  const names = new Set<string>()
  const vars = new Set<string>()
  const visit = (node: unknown, atRoot: boolean): void => {
    if (!isNode(node)) return
    switch (node.type) {
      case "Field":
        if (atRoot) names.add(String(node["name"]))
        return
      case "Subexpression":
      case "IndexExpression":
      case "Pipe":
      case "Projection":
      case "ValueProjection":
      case "FilterProjection": {
        const left = node["left"]
        if (atRoot && isNode(left) && left.type === "Field" && left["name"] === "vars") {
          const right = node["right"]
          if (isNode(right) && right.type === "Field") vars.add(String(right["name"]))
        }
        // `$.a` reads `a` at the root wherever it is.
        const fromRoot = isNode(left) && left.type === "Root"
        visit(left, atRoot)
        visit(node["right"], fromRoot)
        visit(node["condition"], false)
        return
      }
      case "ExpressionReference":
        return visit(node["child"], false)
      case "MultiSelectHash":
        for (const pair of (node["children"] as ReadonlyArray<{ readonly value: unknown }>) ?? []) {
          visit(pair.value, atRoot)
        }
        return
      case "LetExpression":
        for (const binding of (node["bindings"] as ReadonlyArray<{ readonly reference: unknown }>) ?? []) {
          visit(binding.reference, atRoot)
        }
        return visit(node["expression"], atRoot)
      default:
        // Or, And, Not, comparisons, arithmetic, lists, functions, flatten: operands read where they are.
        for (const key of ["left", "right", "child", "condition"]) visit(node[key], atRoot)
        for (const child of (node["children"] as ReadonlyArray<unknown>) ?? []) visit(child, atRoot)
    }
  }
  visit(ast, true)
  return { names: [...names], vars: [...vars] }
}

/** Parses a JMESPath expression; a syntax error is reported with the expression it is in. */
export const parseJmesPath = (source: string): Either.Either<JmesPathQuery, string> => {
  try {
    const ast = compile(source)
    return Either.right({
      source,
      roots: rootReferences(ast),
      search: (data) => {
        try {
          return Either.right(TreeInterpreter.search(ast, data as JSONValue))
        } catch (cause) {
          return Either.left(messageOf(cause))
        }
      }
    })
  } catch (cause) {
    return Either.left(messageOf(cause))
  }
}

/**
 * An extractor running a JMESPath query on the JSON body. The query is checked here, so a bad
 * one is an `InvalidExpression` before any request, not one failure per record. A query that finds nothing
 * (`null`) fails the record with an `ExtractError`, so a typo'd field is never a silent null,
 * unless `allowEmpty` is set.
 */
export const jmespathExtractor = (
  query: string,
  options: { readonly allowEmpty?: boolean | undefined } = {}
): Effect.Effect<Extractor, InvalidExpression> =>
  Either.match(parseJmesPath(query), {
    onLeft: (reason) => Effect.fail(new InvalidExpression({ language: "jmespath", source: query, reason })),
    onRight: (compiled) =>
      Effect.succeed<Extractor>({
        description: `jmespath ${query}`,
        needsJson: true,
        apply: (body, url) =>
          Option.match(body.json, {
            onNone: () => Effect.fail(notJson(body, url, `so '${query}' cannot run`)),
            onSome: (json) =>
              Either.match(compiled.search(json), {
                onLeft: (reason) => Effect.fail(new ExtractError({ url, message: `'${query}' failed: ${reason}` })),
                onRight: (value) =>
                  value === null && options.allowEmpty !== true
                    ? Effect.fail(new ExtractError({ url, message: `'${query}' matched nothing` }))
                    : Effect.succeed(value)
              })
          })
      })
  })
