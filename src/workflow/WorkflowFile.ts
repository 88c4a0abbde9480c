/**
 * Reading a workflow file: YAML (or JSON, which is YAML) parsed with the `yaml` package, which
 * keeps the line of every node, so each problem is reported with the file, step, field and line.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type Document, isNode, LineCounter, parseDocument, visit } from "yaml"
import { messageOf } from "../domain/ErrorText.js"
import { UsageError } from "../domain/UsageError.js"
import { compileWorkflow, decodeOptions, describeProblem, firstIssue, type Locator, type Workflow } from "./Workflow.js"
import { WorkflowSchema } from "./WorkflowSchema.js"

/**
 * Limits on what a workflow file may be, checked before the YAML parser sees it: the parser
 * recurses, and a few kilobytes of `[[[[…` run it out of memory (a fatal error no handler
 * catches). Real workflows are a few kilobytes, a handful of levels deep.
 */
export const workflowLimits = {
  /** Bytes (well, UTF-16 units) of the whole file. */
  maxLength: 1024 * 1024,
  /** Nesting of flow collections (`[ ]`, `{ }`). */
  maxFlowDepth: 64,
  /** Columns of indentation (block nesting). */
  maxIndent: 256,
  /** Alias expansions (`*name`): past this, an alias bomb (the `yaml` package's `maxAliasCount`). */
  maxAliasCount: 100
} as const

/**
 * Where `text` nests too deeply for the parser: the first line with too many open `[`/`{` or
 * too much indentation (quoted text and comments aside), or undefined.
 */
const tooDeepAt = (text: string): { readonly line: number; readonly what: string } | undefined => {
  let depth = 0
  let line = 1
  let column = 0
  let indenting = true
  let quote = 0 // 0, or the code of the quote that is open
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) {
      line++
      column = 0
      indenting = true
      continue
    }
    if (indenting) {
      if (c === 32) {
        if (++column > workflowLimits.maxIndent) {
          return { line, what: `indented more than ${workflowLimits.maxIndent} columns` }
        }
        continue
      }
      indenting = false
    }
    if (quote !== 0) {
      if (quote === 34 && c === 92) i++
      else if (c === quote) quote = 0
      continue
    }
    if (c === 34 || c === 39) quote = c
    else if (c === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) {
      // A comment: skip to the end of the line.
      const end = text.indexOf("\n", i)
      i = (end < 0 ? text.length : end) - 1
    } else if (c === 91 || c === 123) {
      if (++depth > workflowLimits.maxFlowDepth) {
        return { line, what: `more than ${workflowLimits.maxFlowDepth} nested [ ] or { }` }
      }
    } else if (c === 93 || c === 125) depth = Math.max(0, depth - 1)
  }
  return undefined
}

/** What a YAML value is, in the words of the workflow format. */
const kindOf = (value: unknown): string =>
  value === null || value === undefined
    ? "nothing"
    : Array.isArray(value)
    ? "a list"
    : typeof value === "object"
    ? "a mapping"
    : typeof value === "string"
    ? "text"
    : `a ${typeof value}`

/** What the format wants where a whole structure has the wrong shape (a schema dump otherwise). */
const expectedAt = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 1 && path[0] === "steps"
    ? "a mapping of step names to steps (name: { request: … })"
    : path.length === 2 && path[0] === "steps"
    ? "a mapping of the step's fields (request, forEach, needs, …)"
    : path.length === 0
    ? "a mapping with 'steps' (and optionally name, vars, defaults)"
    : "another shape (see the workflow format in the README)"

/**
 * The problem in one short line: the schema's own words for a simple value ("Expected string,
 * actual 5"), but for a structure of the wrong shape what was expected and what is there rather
 * than the schema's type printed whole.
 */
const shortProblem = (
  document: unknown,
  issue: { readonly path: ReadonlyArray<PropertyKey>; readonly message: string }
): string => {
  if (!issue.message.startsWith("Expected ") || issue.message.length <= 120) return issue.message
  let value = document
  for (const key of issue.path) {
    value = typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined
  }
  return `expected ${expectedAt(issue.path)}, got ${kindOf(value)}`
}

/** Parses and checks workflow text; `source` names it in messages. */
export const parseWorkflow = (
  text: string,
  source: string,
  vars: Readonly<Record<string, string>> = {}
): Effect.Effect<Workflow, UsageError> =>
  Effect.gen(function*() {
    if (text.length > workflowLimits.maxLength) {
      return yield* new UsageError({
        message: `${source}: too large for a workflow file (${(text.length / 1048576).toFixed(1)} MiB; at most ${
          workflowLimits.maxLength / 1048576
        } MiB)`
      })
    }
    const deep = tooDeepAt(text)
    if (deep !== undefined) {
      return yield* new UsageError({ message: `${source}: nested too deeply: ${deep.what} (line ${deep.line})` })
    }
    const lineCounter = new LineCounter()
    const document = parseDocument(text, { lineCounter, prettyErrors: false })
    const syntax = document.errors[0]
    if (syntax !== undefined) {
      const line = lineCounter.linePos(syntax.pos[0]).line
      return yield* new UsageError({
        message: `${source}: not valid YAML: ${syntax.message.split("\n")[0]} (line ${line})`
      })
    }
    const locator: Locator = {
      source,
      lineOf: (path) => {
        // The deepest node that exists along the path.
        for (let depth = path.length; depth > 0; depth--) {
          const node = document.getIn(path.slice(0, depth) as Array<string>, true)
          if (isNode(node) && node.range !== undefined && node.range !== null) {
            return lineCounter.linePos(node.range[0]).line
          }
        }
        return undefined
      }
    }
    const js = yield* Effect.try({
      try: () => document.toJS({ maxAliasCount: workflowLimits.maxAliasCount }) as unknown,
      catch: (cause) => {
        const alias = firstAliasLine(document, lineCounter)
        const reason = messageOf(cause)
        return new UsageError({
          message: /alias/i.test(reason)
            ? `${source}: YAML aliases expand too much (more than ${workflowLimits.maxAliasCount}: an alias bomb?)${
              alias === undefined ? "" : ` (line ${alias})`
            }`
            : `${source}: cannot be read: ${reason}`
        })
      }
    })
    const decoded = yield* Schema.decodeUnknown(WorkflowSchema, decodeOptions)(js).pipe(
      Effect.mapError((error) => {
        const issue = firstIssue(error)
        return new UsageError({ message: describeProblem(locator, issue.path, shortProblem(js, issue)) })
      })
    )
    return yield* compileWorkflow(decoded, locator, text, vars)
  })

/** The line of the first alias (`*name`) of a document. */
const firstAliasLine = (document: Document, lineCounter: LineCounter): number | undefined => {
  let line: number | undefined
  visit(document, {
    Alias: (_, node) => {
      if (node.range !== undefined && node.range !== null) line = lineCounter.linePos(node.range[0]).line
      return visit.BREAK
    }
  })
  return line
}

/** Reads, parses and checks a workflow file. */
export const loadWorkflowFile = (
  path: string,
  vars: Readonly<Record<string, string>> = {}
): Effect.Effect<Workflow, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    // Too large a file is refused before it is read into memory.
    const size = yield* fs.stat(path).pipe(Effect.map((info) => Number(info.size)), Effect.orElseSucceed(() => 0))
    if (size > workflowLimits.maxLength * 4) {
      return yield* new UsageError({
        message: `${path}: too large for a workflow file (${(size / 1048576).toFixed(1)} MiB; at most ${
          workflowLimits.maxLength / 1048576
        } MiB)`
      })
    }
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError(() => new UsageError({ message: `${path}: cannot read the workflow file` }))
    )
    return yield* parseWorkflow(text, path, vars)
  })
