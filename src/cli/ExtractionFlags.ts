/**
 * The single place the command line's extraction flags become an extractor: one of `--extract`
 * (JMESPath), `--select` (CSS) or `--match` (regex), optionally checked by `--schema`.
 *
 * @module
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import { UsageError } from "../domain/UsageError.js"
import type { Extractor } from "../extract/Extractor.js"
import { compileExtractor, type ExtractorSpec } from "../extract/ExtractorSpec.js"
import { lazyModule } from "./LazyModule.js"

export interface ExtractFlags {
  readonly extract?: string | undefined
  readonly select?: string | undefined
  readonly selectAttr?: string | undefined
  readonly match?: string | undefined
  readonly matchAll?: boolean | undefined
  readonly schema?: string | undefined
  readonly schemaOn?: "body" | "value" | undefined
  /** A query that finds nothing gives `null` instead of failing the record. */
  readonly allowEmpty?: boolean | undefined
}

const usage = (message: string) => Effect.fail(new UsageError({ message }))

/** The extractor the flags describe, or undefined when there is none; conflicts are refused. */
export const buildExtractor = (
  flags: ExtractFlags
): Effect.Effect<Extractor | undefined, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const given = [flags.extract, flags.select, flags.match].filter((f) => f !== undefined)
    if (given.length > 1) return yield* usage("use only one of --extract, --select, --match")
    if (flags.selectAttr !== undefined && flags.select === undefined) {
      return yield* usage("--select-attr needs --select")
    }
    if (flags.matchAll === true && flags.match === undefined) return yield* usage("--match-all needs --match")
    const spec: readonly [string, ExtractorSpec] | undefined = flags.extract !== undefined
      ? ["--extract", flags.extract]
      : flags.select !== undefined
      ? ["--select", { css: flags.select, attr: flags.selectAttr }]
      : flags.match !== undefined
      ? ["--match", { regex: flags.match, all: flags.matchAll ?? false }]
      : undefined
    const base = spec === undefined ?
      undefined :
      yield* compileExtractor(spec[1], { allowEmpty: flags.allowEmpty }).pipe(
        // The library's error, named by the flag that carried it.
        Effect.mapError((error) => new UsageError({ message: `${spec[0]}: ${error.message}` }))
      )
    if (flags.schema === undefined) {
      return flags.schemaOn === undefined ? base : yield* usage("--schema-on needs --schema")
    }
    const on = flags.schemaOn ?? "body"
    if (on === "value" && base === undefined) {
      return yield* usage("--schema-on value needs --extract, --select or --match")
    }
    // Ajv (~75 ms to load, 100 modules) only for --schema: `--select` runs loaded it too.
    const { loadJsonSchema, withJsonSchema } = yield* lazyModule(() => import("../extract/JsonSchemaCheck.js"))
    const validator = yield* loadJsonSchema(flags.schema).pipe(
      Effect.mapError((error) => new UsageError({ message: `--schema ${error.source}: ${error.reason}` }))
    )
    return withJsonSchema(base, validator, on)
  })
