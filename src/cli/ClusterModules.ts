/**
 * The cluster mode's modules in one place, loaded together when a command asks for the
 * cluster: `@effect/cluster`, `@effect/sql-pg` and their dependencies never load otherwise.
 *
 * @module
 */
import * as Duration from "effect/Duration"

export { ClusterError, RunCancelled } from "../cluster/ClusterError.js"
export { clientLayer, pgLayer, safeUrl } from "../cluster/ClusterLayer.js"
export { cancelRun, clusterRunners, ensureSchema, findRun, listRuns } from "../cluster/Store.js"
export { runRecords, submitRun } from "../cluster/Submit.js"
export { workerLayer } from "../cluster/Worker.js"

export const millis = (duration: Duration.DurationInput): number => Duration.toMillis(duration)
