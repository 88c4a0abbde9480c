/**
 * `{{ expression }}` templates: the expression is JMESPath over the workflow context (finished
 * steps by name, `vars`, and `item` / `index` in a forEach). Parsed once, rendered per request.
 *
 * In a URL, values are data, never syntax (RFC 6570 simple expansion): each `{{ … }}` is
 * percent-encoded as one path segment or query value, so `../admin?x=1#` from a response is
 * `..%2Fadmin%3Fx%3D1%23`, and a value that is `.` or `..` is refused. Two forms take a URL:
 *
 * - a template that starts with `{{ … }}` (`{{ vars.base }}/users`, or only `{{ next }}`): that
 *   first value is the base, taken as it is, and must be an absolute http(s) URL;
 * - `{{+ … }}` (RFC 6570 reserved expansion): as it is, only characters a URL cannot hold
 *   (spaces, line breaks, non-ASCII) percent-encoded — for values you trust to be URL syntax.
 *
 * @module
 */
import * as Either from "effect/Either"
import { exactNumberText, stringifyJson } from "../domain/ExactJson.js"
import { type JmesPathQuery, parseJmesPath } from "../extract/JmesPath.js"

/** One `{{ … }}`: its query, and whether it was written `{{+ … }}` (taken as URL syntax). */
export interface Placeholder extends JmesPathQuery {
  readonly reserved: boolean
}

export interface Template {
  readonly source: string
  readonly parts: ReadonlyArray<string | Placeholder>
  /** The first name of every expression: the steps (or vars, item, index) it reads. */
  readonly references: ReadonlyArray<string>
}

const placeholder = /\{\{(.*?)\}\}/g

/** Parses a template, or says which expression is wrong. */
export const parseTemplate = (source: string): Either.Either<Template, string> => {
  const parts: Array<string | Placeholder> = []
  const references: Array<string> = []
  let last = 0
  for (const match of source.matchAll(placeholder)) {
    const reserved = match[1]!.startsWith("+")
    const expression = (reserved ? match[1]!.slice(1) : match[1]!).trim()
    if (match.index > last) parts.push(source.slice(last, match.index))
    if (expression === "") return Either.left(`empty {{ }} in '${source}'`)
    const query = parseJmesPath(expression)
    if (Either.isLeft(query)) return Either.left(`'{{ ${expression} }}' does not parse: ${query.left}`)
    parts.push({ ...query.right, reserved })
    references.push(...query.right.roots.names)
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

/** Why a template could not be rendered: its expression failed, or (URLs) its value is unsafe. */
export interface TemplateProblem {
  readonly message: string
  /** The value, not the expression, is at fault: the request of this item fails, not the step. */
  readonly unsafeValue: boolean
}

/** RFC 6570 simple expansion: everything but the unreserved characters percent-encoded. */
export const encodeValue = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())

/** RFC 6570 reserved expansion: URL syntax kept, what a URL cannot hold percent-encoded. */
const encodeReserved = (value: string): string => {
  try {
    return encodeURI(value)
  } catch {
    // A lone surrogate cannot be encoded as UTF-8: drop it, as a browser would replace it.
    return encodeURI(value.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))
  }
}

const isHttpUrl = (text: string): boolean => {
  try {
    const url = new URL(text)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

const unsafe = (message: string): Either.Either<never, TemplateProblem> => Either.left({ message, unsafeValue: true })

/**
 * Renders a template against a context. In `url` mode values are encoded (see the module
 * comment); in `text` mode (headers, bodies) they are written as they are.
 */
export const renderTemplate = (
  template: Template,
  context: unknown,
  mode: "url" | "text" = "text"
): Either.Either<string, TemplateProblem> => {
  let out = ""
  for (const [at, part] of template.parts.entries()) {
    if (typeof part === "string") {
      out += part
      continue
    }
    const value = part.search(context)
    if (Either.isLeft(value)) {
      return Either.left({ message: `'{{ ${part.source} }}' failed: ${value.left}`, unsafeValue: false })
    }
    const text = show(value.right)
    if (mode === "text") {
      out += text
    } else if (part.reserved) {
      out += encodeReserved(text)
    } else if (at === 0) {
      if (!isHttpUrl(text)) {
        return unsafe(`'{{ ${part.source} }}' starts the URL but gave ${JSON.stringify(text)}, not an http(s) URL`)
      }
      out += text
    } else {
      if (text === "." || text === "..") {
        return unsafe(`'{{ ${part.source} }}' gave ${JSON.stringify(text)}, which would change the path`)
      }
      out += encodeValue(text)
    }
  }
  return Either.right(out)
}
