/**
 * `--schema FILE`: the JSON body (or, with `--schema-on value`, the extracted value) must satisfy
 * a JSON Schema, checked with Ajv. A record that does not fit fails with `SchemaError` naming
 * the first failing path and what was expected.
 *
 * The draft follows the schema's `$schema` (2020-12, 2019-09, else draft-07). `format` is an
 * annotation only: no format validators are bundled, so formats are not checked.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv"
import { Ajv2019 } from "ajv/dist/2019.js"
import { Ajv2020 } from "ajv/dist/2020.js"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { messageOf } from "../domain/ErrorText.js"
import { SchemaError } from "../domain/FetchError.js"
import { InvalidExpression } from "../domain/InvalidExpression.js"
import { notJson } from "../domain/ResponseBody.js"
import type { Extractor } from "./Extractor.js"

/** A compiled schema: undefined when the value fits, else the first failure. */
export interface JsonValidator {
  readonly source: string
  readonly check: (value: unknown) => { readonly path: string; readonly message: string } | undefined
}

const ajvOptions: Options = { allErrors: false, strict: false, validateFormats: false }

/** An Ajv for the draft the schema declares in `$schema`. */
const ajvFor = (schema: unknown) => {
  const declared = typeof schema === "object" && schema !== null && "$schema" in schema
    ? String(schema.$schema)
    : ""
  return declared.includes("2020-12")
    ? new Ajv2020(ajvOptions)
    : declared.includes("2019-09")
    ? new Ajv2019(ajvOptions)
    : new Ajv(ajvOptions)
}

const describe = (error: ErrorObject) => {
  const path = error.instancePath === "" ? "/" : error.instancePath
  const extra = error.keyword === "additionalProperties"
    ? ` '${String((error.params as { additionalProperty?: unknown }).additionalProperty)}'`
    : error.keyword === "enum"
    ? ` ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}`
    : ""
  return { path, message: `at ${path}: ${error.message ?? error.keyword}${extra}` }
}

const invalidSchema = (source: string, reason: string) =>
  new InvalidExpression({ language: "json-schema", source, reason })

/** Compiles a JSON Schema given as a value; `source` names it in messages. */
export const compileJsonSchema = (
  schema: unknown,
  source: string
): Effect.Effect<JsonValidator, InvalidExpression> =>
  Effect.try({
    try: () => {
      const validate: ValidateFunction = ajvFor(schema).compile(schema as object)
      return {
        source,
        check: (value: unknown) => (validate(value) ? undefined : describe(validate.errors![0]!))
      } satisfies JsonValidator
    },
    catch: (cause) => invalidSchema(source, `not a valid JSON Schema: ${messageOf(cause)}`)
  })

/** Reads and compiles a JSON Schema file. */
export const loadJsonSchema = (
  path: string
): Effect.Effect<JsonValidator, InvalidExpression, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError(() => invalidSchema(path, "cannot read the file"))
    )
    const schema = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (cause) => invalidSchema(path, `not JSON: ${messageOf(cause)}`)
    })
    return yield* compileJsonSchema(schema, path)
  })

/**
 * Applies `base` (when given), then checks the JSON body (`on: "body"`) or the extracted value
 * (`on: "value"`) against the schema.
 */
export const withJsonSchema = (
  base: Extractor | undefined,
  validator: JsonValidator,
  on: "body" | "value"
): Extractor => ({
  description: `${base?.description ?? "body"} checked against ${validator.source}`,
  needsJson: on === "body" || (base?.needsJson ?? false),
  apply: (body, url) =>
    Effect.gen(function*() {
      const value = base === undefined ? undefined : yield* base.apply(body, url)
      let checked: unknown = value
      if (on === "body") {
        if (Option.isNone(body.json)) {
          return yield* notJson(body, url, "so it cannot be checked")
        }
        checked = body.json.value
      }
      const failure = validator.check(checked)
      if (failure !== undefined) {
        return yield* new SchemaError({
          url,
          path: failure.path,
          message: `${on} does not fit ${validator.source} ${failure.message}`
        })
      }
      return base === undefined ? undefined : value
    })
})
