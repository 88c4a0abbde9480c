/**
 * An extractor written as data — a JMESPath string, `{ jmespath }`, `{ css, attr? }` or
 * `{ regex, all? }` — and the one place such a description becomes an `Extractor`, for the
 * command line's flags, a workflow step's `extract` and the library alike.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { InvalidExpression } from "../domain/InvalidExpression.js"
import { cssExtractor } from "./CssSelect.js"
import type { Extractor } from "./Extractor.js"
import { regexExtractor } from "./RegexMatch.js"

/** The shapes an extractor is written in (workflow files decode `extract` with this). */
export const ExtractorSpec = Schema.Union(
  Schema.String,
  Schema.Struct({ jmespath: Schema.String }),
  Schema.Struct({ css: Schema.String, attr: Schema.optional(Schema.String) }),
  Schema.Struct({ regex: Schema.String, all: Schema.optional(Schema.Boolean) })
).annotations({
  message: () => ({
    message: "expected a JMESPath string, or { jmespath }, { css, attr }, { regex, all }",
    override: true
  })
})
export type ExtractorSpec = typeof ExtractorSpec.Type

/**
 * The extractor `spec` describes, its expression checked now; `allowEmpty` lets a JMESPath query
 * that finds nothing give `null` instead of failing the record.
 */
export const compileExtractor = (
  spec: ExtractorSpec,
  options: { readonly allowEmpty?: boolean | undefined } = {}
): Effect.Effect<Extractor, InvalidExpression> =>
  typeof spec === "string" || "jmespath" in spec
    // The JMESPath library (~10 ms to load) only for a JMESPath extractor.
    ? Effect.flatMap(
      Effect.promise(() => import("./JmesPath.js")),
      ({ jmespathExtractor }) => jmespathExtractor(typeof spec === "string" ? spec : spec.jmespath, options)
    )
    : "css" in spec
    ? cssExtractor(spec.css, { attr: spec.attr })
    : regexExtractor(spec.regex, { all: spec.all ?? false })
