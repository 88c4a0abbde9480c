/**
 * A workflow ready to run: templates parsed, queries compiled, dependencies known and acyclic.
 * Built from a file (`loadWorkflowFile`) or in TypeScript with `make`, `request` and `forEach`:
 *
 * ```ts
 * const wf = Workflow.make({
 *   vars: { base: "http://127.0.0.1:8080" },
 *   steps: {
 *     users: Workflow.request("{{ vars.base }}/users"),
 *     posts: Workflow.forEach("users.body", "{{ vars.base }}/users/{{ item.id }}/posts", { concurrency: 5 })
 *   }
 * })
 * ```
 *
 * @module
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Expectation } from "../check/Check.js"
import { makeExpectation } from "../check/Expectation.js"
import { closestName } from "../domain/ClosestName.js"
import { Defaults } from "../domain/Defaults.js"
import type { Method } from "../domain/RequestSpec.js"
import { UsageError } from "../domain/UsageError.js"
import type { Extractor } from "../extract/Extractor.js"
import { compileExtractor } from "../extract/ExtractorSpec.js"
import { type JmesPathQuery, parseJmesPath } from "../extract/JmesPath.js"
import { defaultSaveName, saveNameProblem } from "../http/SaveBody.js"
import { planWaves } from "./Plan.js"
import { parseTemplate, type Template } from "./Template.js"
import { type ExpectField, type StepSchema, WorkflowSchema } from "./WorkflowSchema.js"

export type VarValue = string | number | boolean

/** @internal */
export interface CompiledStep {
  readonly name: string
  readonly url: Template
  readonly method: Method | undefined
  readonly headers: ReadonlyArray<readonly [string, Template]>
  readonly body: Template | undefined
  readonly forEach: JmesPathQuery | undefined
  readonly dependsOn: ReadonlyArray<string>
  readonly concurrency: number
  readonly timeout: Duration.Duration | undefined
  readonly retries: number | undefined
  readonly decompress: boolean | undefined
  readonly extractor: Extractor | undefined
  /** Accepted statuses and assertions (`expect:`); the 2xx rule when undefined. */
  readonly expect: Expectation | undefined
  /** Each successful body to a file in `dir`, named by the `name` template (`save:`). */
  readonly save: { readonly dir: string; readonly name: string } | undefined
}

export interface Workflow {
  readonly name: string
  readonly vars: Readonly<Record<string, VarValue>>
  readonly steps: ReadonlyArray<CompiledStep>
  /** Steps in waves: a wave's steps run side by side once the earlier waves are done. */
  readonly waves: ReadonlyArray<ReadonlyArray<string>>
  /**
   * What the workflow is compiled from, for a process that compiles it again (a cluster worker):
   * the document's text (a `Workflow.make` definition as JSON, which YAML reads), the name its
   * messages give it, and the variables given over the file's own.
   */
  readonly origin: WorkflowOrigin
}

export interface WorkflowOrigin {
  readonly text: string
  readonly source: string
  readonly overrides: Readonly<Record<string, string>>
}

/**
 * Where a problem is, for messages: a path into the document, and its line when known.
 * @internal
 */
export interface Locator {
  readonly source: string
  readonly lineOf: (path: ReadonlyArray<PropertyKey>) => number | undefined
}

const reserved = new Set(["vars", "item", "index"])

/**
 * `file: step 'posts' field 'concurrency': problem (line 12)`.
 * @internal
 */
export const describeProblem = (locator: Locator, path: ReadonlyArray<PropertyKey>, problem: string): string => {
  const [top, step, field] = path.map(String)
  const where = top === "steps" && step !== undefined
    ? field === undefined ? `step '${step}'` : `step '${step}' field '${field}'`
    : top === undefined
    ? ""
    : `field '${[top, step].filter((p) => p !== undefined).join(".")}'`
  const line = locator.lineOf(path)
  return `${locator.source}: ${where === "" ? "" : where + ": "}${problem}${
    line === undefined ? "" : ` (line ${line})`
  }`
}

const fail = (locator: Locator, path: ReadonlyArray<PropertyKey>, problem: string) =>
  Effect.fail(new UsageError({ message: describeProblem(locator, path, problem) }))

/**
 * Checks and compiles a decoded workflow.
 * @internal
 */
export const compileWorkflow = (
  decoded: WorkflowSchema,
  locator: Locator,
  text: string,
  overrides: Readonly<Record<string, string>> = {}
): Effect.Effect<Workflow, UsageError> =>
  Effect.gen(function*() {
    const names = Object.keys(decoded.steps)
    if (names.length === 0) return yield* fail(locator, ["steps"], "no steps")
    for (const name of names) {
      if (reserved.has(name)) {
        return yield* fail(locator, ["steps", name], `'${name}' is reserved; choose another step name`)
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        return yield* fail(
          locator,
          ["steps", name],
          "step names are letters, digits and _ (so templates can refer to them)"
        )
      }
    }
    const varNames = Object.keys({ ...decoded.vars, ...overrides })
    /** A `vars.x` that no var (in the file or from --var) defines would render "" at run time. */
    const unknownVar = (queries: ReadonlyArray<JmesPathQuery>) =>
      queries.flatMap((query) => query.roots.vars).find((name) => !varNames.includes(name))
    const steps: Array<CompiledStep> = []
    for (const name of names) {
      const step: StepSchema = decoded.steps[name]!
      const spec = typeof step.request === "string" ? { url: step.request } : step.request
      const template = (text: string, field: ReadonlyArray<PropertyKey>) =>
        Either.match(parseTemplate(text), {
          onLeft: (problem) => fail(locator, ["steps", name, ...field], problem),
          onRight: Effect.succeed
        })
      const url = yield* template(spec.url, ["request", ...(typeof step.request === "string" ? [] : ["url"])])
      const headers: Array<readonly [string, Template]> = []
      for (const [header, value] of Object.entries(spec.headers ?? {})) {
        headers.push([header, yield* template(value, ["request", "headers", header])])
      }
      const body = spec.body === undefined ? undefined : yield* template(spec.body, ["request", "body"])
      let forEach: JmesPathQuery | undefined
      const references = [
        ...url.references,
        ...headers.flatMap(([, t]) => t.references),
        ...(body?.references ?? [])
      ]
      if (step.forEach !== undefined) {
        const query = parseJmesPath(step.forEach)
        if (Either.isLeft(query)) {
          return yield* fail(
            locator,
            ["steps", name, "forEach"],
            `does not parse: ${query.left}`
          )
        }
        forEach = query.right
        references.push(...query.right.roots.names)
      } else if (references.includes("item") || references.includes("index")) {
        return yield* fail(locator, ["steps", name, "request"], "uses item/index but the step has no forEach")
      }
      const missingVar = unknownVar([
        ...[url, ...headers.map(([, t]) => t), ...(body === undefined ? [] : [body])].flatMap((t) =>
          t.parts.flatMap((part) => typeof part === "string" ? [] : [part])
        ),
        ...(forEach === undefined ? [] : [forEach])
      ])
      if (missingVar !== undefined) {
        const near = closestName(missingVar, varNames)
        return yield* fail(
          locator,
          ["steps", name, "request"],
          `refers to unknown variable 'vars.${missingVar}'${near === undefined ? "" : `; did you mean '${near}'?`} ` +
            `(define it under vars: or pass --var ${missingVar}=VALUE)`
        )
      }
      const dependsOn = new Set<string>()
      for (const reference of references) {
        if (reserved.has(reference)) continue
        if (!names.includes(reference)) {
          const near = closestName(reference, names)
          return yield* fail(
            locator,
            ["steps", name],
            `refers to unknown step '${reference}'${near === undefined ? "" : `; did you mean '${near}'?`}`
          )
        }
        dependsOn.add(reference)
      }
      for (const need of step.needs ?? []) {
        if (!names.includes(need)) return yield* fail(locator, ["steps", name, "needs"], `unknown step '${need}'`)
        dependsOn.add(need)
      }
      if (dependsOn.has(name)) return yield* fail(locator, ["steps", name], "refers to itself")
      const extractor = step.extract === undefined
        ? undefined
        : yield* compileExtractor(step.extract).pipe(
          Effect.catchAll((e) => fail(locator, ["steps", name, "extract"], e.message))
        )
      const expect = step.expect === undefined ? undefined : yield* expectationOf(step.expect).pipe(
        Effect.catchAll((e) => fail(locator, ["steps", name, "expect"], e.message))
      )
      const save = step.save === undefined
        ? undefined
        : typeof step.save === "string"
        ? { dir: step.save, name: defaultSaveName }
        : { dir: step.save.dir, name: step.save.name ?? defaultSaveName }
      if (save !== undefined && save.dir === "") yield* fail(locator, ["steps", name, "save"], "expected a directory")
      const nameProblem = save === undefined ? undefined : saveNameProblem(save.name)
      if (nameProblem !== undefined) yield* fail(locator, ["steps", name, "save", "name"], nameProblem)
      steps.push({
        name,
        url,
        method: spec.method,
        headers,
        body,
        forEach,
        dependsOn: [...dependsOn],
        concurrency: step.concurrency ?? decoded.defaults?.concurrency ?? Defaults.concurrency,
        timeout: step.timeout ?? decoded.defaults?.timeout,
        retries: step.retries ?? decoded.defaults?.retries,
        decompress: step.decompress ?? decoded.defaults?.decompress,
        extractor,
        expect,
        save
      })
    }
    const waves = planWaves(new Map(steps.map((s) => [s.name, s.dependsOn])))
    if (Either.isLeft(waves)) return yield* fail(locator, ["steps"], waves.left)
    return {
      name: decoded.name ?? locator.source,
      vars: { ...decoded.vars, ...overrides },
      steps,
      waves: waves.right,
      origin: { text, source: locator.source, overrides }
    }
  })

/** The checks a step's `expect` describes; messages name the sub-field (`status: …`, `assert: …`). */
const expectationOf = (expect: ExpectField) =>
  makeExpectation({
    status: expect.status === undefined
      ? undefined
      : Array.isArray(expect.status)
      ? expect.status.map(String).join(",")
      : String(expect.status),
    assert: typeof expect.assert === "string" ? [expect.assert] : expect.assert,
    statusFlag: "status",
    assertFlag: "assert"
  }).pipe(Effect.map((expectation) => expectation ?? { status: undefined, assertions: [] }))

/**
 * How workflow documents are decoded: every issue, and unknown keys are errors (typos).
 * @internal
 */
export const decodeOptions = { errors: "all", onExcessProperty: "error" } as const

/**
 * The first problem of a decode failure: its path and message. An unknown key comes first (a
 * typo'd `requst:` also makes `request` missing) and is named with the closest known key.
 * @internal
 */
export const firstIssue = (error: ParseResult.ParseError) => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const unexpected = issues.find((issue) => issue._tag === "Unexpected")
  if (unexpected !== undefined) {
    const key = String(unexpected.path.at(-1))
    const known = [...unexpected.message.matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
    const near = closestName(key, known)
    return {
      path: unexpected.path.slice(0, -1),
      message: `unknown key '${key}'${near === undefined ? "" : `; did you mean '${near}'?`}${
        known.length > 0 ? ` (expected one of ${known.join(", ")})` : ""
      }`
    }
  }
  const issue = issues[0]
  return { path: issue?.path ?? [], message: issue?.message ?? "invalid" }
}

/** A step definition, as in a file. */
export type StepDefinition = typeof WorkflowSchema.Encoded["steps"][string]

/** A workflow written in TypeScript, checked as a file would be. */
export const make = (
  definition: typeof WorkflowSchema.Encoded,
  options: { readonly name?: string; readonly vars?: Readonly<Record<string, string>> } = {}
): Effect.Effect<Workflow, UsageError> => {
  const locator: Locator = { source: options.name ?? definition.name ?? "workflow", lineOf: () => undefined }
  return Schema.decodeUnknown(WorkflowSchema, decodeOptions)(definition).pipe(
    Effect.catchAll((error) => {
      const issue = firstIssue(error)
      return fail(locator, issue.path, issue.message)
    }),
    Effect.flatMap((decoded) => compileWorkflow(decoded, locator, JSON.stringify(definition), options.vars))
  )
}

export type StepOptions = Omit<StepDefinition, "request" | "forEach">

/** A step sending one request. */
export const request = (
  url: string | Exclude<StepDefinition["request"], string>,
  options: StepOptions = {}
): StepDefinition => ({
  ...options,
  request: url
})

/** A step sending one request per element of `query` (JMESPath over the context). */
export const forEach = (
  query: string,
  url: string | Exclude<StepDefinition["request"], string>,
  options: StepOptions = {}
): StepDefinition => ({ ...options, forEach: query, request: url })
