/**
 * Every output `volley fetch` can write: the record formats (NDJSON, JSON, CSV) and the reports
 * built from records — JUnit XML for CI, HAR for browsers' network panels.
 *
 * @module
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { OutputClosed, OutputError } from "../domain/OutputError.js"
import type { UsageError } from "../domain/UsageError.js"
import type { ExchangeLog } from "../http/ExchangeLog.js"
import { formats } from "./RecordFormat.js"
import { openRecordWriter, type OutputTarget, type RecordWriter } from "./RecordWriter.js"
import type { Stdout } from "./Stdout.js"

export const outputFormats = [...formats, "junit", "har"] as const
export type OutputFormat = typeof outputFormats[number]

/** What a report needs beyond the records: HAR needs the exchanges behind them. */
export interface OutputContext {
  readonly exchanges?: ExchangeLog | undefined
}

/** Opens the writer of `format` in the current scope (the report modules load only when asked for). */
export const openOutput = (
  format: OutputFormat,
  target: OutputTarget,
  context: OutputContext = {}
): Effect.Effect<
  RecordWriter,
  UsageError | OutputError | OutputClosed,
  Scope.Scope | Stdout | FileSystem.FileSystem
> => {
  switch (format) {
    case "junit":
      return Effect.flatMap(Effect.promise(() => import("./JunitWriter.js")), (m) => m.openJunitWriter(target))
    case "har":
      return Effect.flatMap(
        Effect.promise(() => import("./HarWriter.js")),
        (m) => m.openHarWriter(target, context.exchanges)
      )
    default:
      return openRecordWriter(format, target)
  }
}
