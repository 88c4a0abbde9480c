/**
 * Set-up failures found before any request is sent: a bad flag value, a missing input file, an
 * output that cannot be written. They end the program with exit code 2 and one line of text.
 *
 * @module
 */
import * as Schema from "effect/Schema"

/** A bad flag, argument, file or setting; `message` names the thing that is wrong. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}
