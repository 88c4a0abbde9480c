/**
 * The failures the cluster mode adds: the database (or the cluster on it) could not be used, and
 * a run read back was cancelled (`volley runs cancel`), an option the cluster cannot honour.
 * Only `effect/Schema` is imported: the library names these errors without loading the cluster.
 *
 * @module
 */
import * as Schema from "effect/Schema"

export class ClusterError extends Schema.TaggedError<ClusterError>()("ClusterError", {
  message: Schema.String
}) {}

/** A failure from the SQL client or the cluster, as a `ClusterError` saying what was being done. */
export const clusterError = (doing: string) => (cause: unknown): ClusterError =>
  new ClusterError({
    message: `${doing}: ${
      typeof cause === "object" && cause !== null && "message" in cause && typeof cause.message === "string"
        ? cause.message
        : String(cause)
    }${
      typeof cause === "object" && cause !== null && "cause" in cause && cause.cause instanceof Error
        ? ` (${cause.cause.message})`
        : ""
    }`
  })

/** The run was cancelled while its records were read (`volley runs cancel`): exit 3. */
export class RunCancelled extends Schema.TaggedError<RunCancelled>()("RunCancelled", {
  run: Schema.String,
  message: Schema.String
}) {}

/** An option `Volley.layerCluster` cannot honour (yet): refused by name rather than ignored. */
export class ClusterUnsupported extends Schema.TaggedError<ClusterUnsupported>()("ClusterUnsupported", {
  option: Schema.String,
  message: Schema.String
}) {}
