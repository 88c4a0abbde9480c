/**
 * `{{ expression }}` templates: the expression is JMESPath over the workflow context (finished
 * steps by name, `vars`, and `item` / `index` in a forEach). Parsed once, rendered per request.
 *
 * @module
 */
import * as Either from "effect/Either"
import { exactNumberText, stringifyJson } from "../domain/ExactJson.js"
import { type JmesPathQuery, parseJmesPath } from "../extract/JmesPath.js"

export interface Template {
  readonly source: string
  readonly parts: ReadonlyArray<string | JmesPathQuery>
  /** The first name of every expression: the steps (or vars, item, index) it reads. */
  readonly references: ReadonlyArray<string>
}

const placeholder = /\{\{(.*?)\}\}/g

/**
 * The names an expression reads from the context: its first identifier (`users.body[0]` →
 * `users`), or, when it starts with a function call, the identifiers its arguments start with
 * (`length(facts)` → `facts`).
 */
export const rootNames = (expression: string): ReadonlyArray<string> => {
  const first = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\()?/.exec(expression)
  if (first === null) return []
  if (first[2] === undefined) return [first[1]!]
  const names: Array<string> = []
  for (const arg of expression.slice(first[0].length).matchAll(/(?:^|[(,])\s*([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    if (arg[2] === undefined) names.push(arg[1]!)
  }
  return names
}

/** Parses a template, or says which expression is wrong. */
export const parseTemplate = (source: string): Either.Either<Template, string> => {
  const parts: Array<string | JmesPathQuery> = []
  const references: Array<string> = []
  let last = 0
  for (const match of source.matchAll(placeholder)) {
    const expression = match[1]!.trim()
    if (match.index > last) parts.push(source.slice(last, match.index))
    if (expression === "") return Either.left(`empty {{ }} in '${source}'`)
    const query = parseJmesPath(expression)
    if (Either.isLeft(query)) return Either.left(`'{{ ${expression} }}' does not parse: ${query.left}`)
    parts.push(query.right)
    references.push(...rootNames(expression))
    last = match.index + match[0].length
  }
  if (last < source.length) parts.push(source.slice(last))
  if (/\{\{|\}\}/.test(parts.filter((p) => typeof p === "string").join(""))) {
    return Either.left(`unbalanced {{ }} in '${source}'`)
  }
  return Either.right({ source, parts, references })
}

const show = (value: unknown): string =>
  value === null || value === undefined
    ? ""
    : typeof value === "string"
    ? value
    : typeof value === "object"
    ? exactNumberText(value) ?? stringifyJson(value) ?? ""
    : String(value)

/** Renders a template against a context; a failing expression is reported. */
export const renderTemplate = (template: Template, context: unknown): Either.Either<string, string> => {
  let out = ""
  for (const part of template.parts) {
    if (typeof part === "string") {
      out += part
      continue
    }
    const value = part.search(context)
    if (Either.isLeft(value)) return Either.left(`'{{ ${part.source} }}' failed: ${value.left}`)
    out += show(value.right)
  }
  return Either.right(out)
}
