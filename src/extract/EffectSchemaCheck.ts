/**
 * For library users: an Effect `Schema` in place of a JSON Schema. The record's `value` is the
 * decoded, typed value; a body that does not fit is a `SchemaError` naming the first failing path.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { SchemaError } from "../domain/FetchError.js"
import { notJson } from "../domain/ResponseBody.js"
import type { Extractor } from "./Extractor.js"

/**
 * Decodes the JSON body (or, with `on: "value"`, the value `base` extracted) with `schema`.
 */
export const schemaExtractor = <A, I>(
  schema: Schema.Schema<A, I>,
  options: { readonly on?: "body" | "value"; readonly base?: Extractor } = {}
): Effect.Effect<Extractor<A>> => Effect.sync(() => makeSchemaExtractor(schema, options))

const makeSchemaExtractor = <A, I>(
  schema: Schema.Schema<A, I>,
  options: { readonly on?: "body" | "value"; readonly base?: Extractor }
): Extractor<A> => {
  const decode = Schema.decodeUnknownEither(schema)
  const on = options.on ?? (options.base === undefined ? "body" : "value")
  const base = options.base
  return {
    description: `schema ${String(schema.ast)}`,
    needsJson: on === "body" || (base?.needsJson ?? false),
    apply: (body, url) =>
      Effect.gen(function*() {
        let input: unknown
        if (on === "value" && base !== undefined) {
          input = yield* base.apply(body, url)
        } else if (Option.isSome(body.json)) {
          input = body.json.value
        } else {
          return yield* notJson(body, url)
        }
        const decoded = decode(input)
        if (Either.isRight(decoded)) return decoded.right
        const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
        const path = issue === undefined ? "/" : "/" + issue.path.map(String).join("/")
        return yield* new SchemaError({
          url,
          path,
          message: `at ${path}: ${issue?.message ?? "does not fit the schema"}`
        })
      })
  }
}
