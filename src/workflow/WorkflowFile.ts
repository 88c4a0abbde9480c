/**
 * Reading a workflow file: YAML (or JSON, which is YAML) parsed with the `yaml` package, which
 * keeps the line of every node, so each problem is reported with the file, step, field and line.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { isNode, LineCounter, parseDocument } from "yaml"
import { UsageError } from "../domain/UsageError.js"
import { compileWorkflow, decodeOptions, describeProblem, firstIssue, type Locator, type Workflow } from "./Workflow.js"
import { WorkflowSchema } from "./WorkflowSchema.js"

/** Parses and checks workflow text; `source` names it in messages. */
export const parseWorkflow = (
  text: string,
  source: string,
  vars: Readonly<Record<string, string>> = {}
): Effect.Effect<Workflow, UsageError> =>
  Effect.gen(function*() {
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
    const decoded = yield* Schema.decodeUnknown(WorkflowSchema, decodeOptions)(document.toJS()).pipe(
      Effect.mapError((error) => {
        const issue = firstIssue(error)
        return new UsageError({ message: describeProblem(locator, issue.path, issue.message) })
      })
    )
    return yield* compileWorkflow(decoded, locator, vars)
  })

/** Reads, parses and checks a workflow file. */
export const loadWorkflowFile = (
  path: string,
  vars: Readonly<Record<string, string>> = {}
): Effect.Effect<Workflow, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError(() => new UsageError({ message: `${path}: cannot read the workflow file` }))
    )
    return yield* parseWorkflow(text, path, vars)
  })
