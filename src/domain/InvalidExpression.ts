/**
 * An extraction the library was given that cannot run at all — a JMESPath query, CSS selector,
 * regular expression or JSON Schema that does not compile (or a schema file that cannot be read)
 * — found when it is compiled, before any request. The
 * CLI turns it into a usage error naming its flag or workflow field.
 *
 * @module
 */
import * as Schema from "effect/Schema"

const languageNames = {
  jmespath: "JMESPath query",
  css: "CSS selector",
  regex: "regular expression",
  "json-schema": "JSON Schema"
} as const

export class InvalidExpression extends Schema.TaggedError<InvalidExpression>()("InvalidExpression", {
  language: Schema.Literal("jmespath", "css", "regex", "json-schema"),
  source: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid ${languageNames[this.language]} '${this.source}': ${this.reason}`
  }
}
