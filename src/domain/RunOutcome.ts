/**
 * How a finished run ends the program when some records failed: exit code 1, the summary
 * having already said which.
 *
 * @module
 */
import * as Effect from "effect/Effect"
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

/**
 * How a run's summary ends the program: `Interrupted` when a signal stopped it, else
 * `SomeRecordsFailed` when a record failed, else success.
 */
export const runOutcome = (
  summary: { readonly total: number; readonly failed: number; readonly interrupted: boolean }
): Effect.Effect<void, Interrupted | SomeRecordsFailed> =>
  summary.interrupted
    ? Effect.fail(new Interrupted({ message: `interrupted after ${summary.total} records` }))
    : summary.failed > 0
    ? Effect.fail(
      new SomeRecordsFailed({
        failed: summary.failed,
        total: summary.total,
        message: `${summary.failed} of ${summary.total} failed`
      })
    )
    : Effect.void
