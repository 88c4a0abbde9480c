/**
 * A JSON Schema written to a temporary file that lives as long as the test's scope.
 */
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"

/** Writes `schema` (an object, or text taken as it is) to a scoped temporary file; its path. */
export const schemaFile = (schema: unknown) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = `${yield* fs.makeTempDirectoryScoped()}/schema.json`
    yield* fs.writeFileString(path, typeof schema === "string" ? schema : JSON.stringify(schema))
    return path
  })
