/**
 * How a finished run ends the program when some records failed: exit code 1, the summary
 * having already said which.
 *
 * @module
 */
import * as Schema from "effect/Schema"

/** Some inputs failed; the others were fetched and written. */
export class SomeRecordsFailed extends Schema.TaggedError<SomeRecordsFailed>()("SomeRecordsFailed", {
  failed: Schema.Number,
  total: Schema.Number,
  message: Schema.String
}) {}

/** The run was stopped by a signal; what was fetched was written. */
export class Interrupted extends Schema.TaggedError<Interrupted>()("Interrupted", {
  message: Schema.String
}) {}
