/**
 * The HAR 1.2 schema (the `har-schema` package, JSON Schema draft-06) compiled with Ajv, with
 * `ajv-formats` so `date-time` and `uri` are checked too.
 */
import Ajv from "ajv"
import addFormats from "ajv-formats"
import draft06 from "ajv/dist/refs/json-schema-draft-06.json" with { type: "json" }
import { createRequire } from "node:module"

// har-schema is CommonJS without types: its index is an object of the schemas.
const harSchema = createRequire(import.meta.url)("har-schema") as Record<string, object>

const ajv = new Ajv.default({ allErrors: true, strict: false })
addFormats.default(ajv)
ajv.addMetaSchema(draft06)
for (const schema of Object.values(harSchema)) ajv.addSchema(schema)

/** The schema errors of a HAR document (empty when it is valid). */
export const harErrors = (document: unknown): ReadonlyArray<string> => {
  const validate = ajv.getSchema("har.json")!
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`)
}
