/**
 * The cluster mode's modules in one place, loaded together when a command asks for the
 * cluster: `@effect/cluster`, `@effect/sql-pg` and their dependencies never load otherwise.
 *
 * @module
 */

export { ClusterError, RunCancelled } from "../cluster/ClusterError.js"
export { clientLayer, pgLayer, safeUrl } from "../cluster/ClusterLayer.js"
export { settingsFromFetch } from "../cluster/RunSettings.js"
export { cancelRun, clusterRunners, ensureSchema, findRun, listRuns } from "../cluster/Store.js"
export { newRunId, runRecords, submitRun } from "../cluster/Submit.js"
import * as Layer from "effect/Layer"
import { workerLayer as bucketWorkerLayer, type WorkerOptions } from "../cluster/Worker.js"
import { workflowWorkerLayer } from "../cluster/WorkflowExecution.js"
export {
  executeWorkflow,
  executionPayload,
  newExecutionKey,
  workflowClientLayer
} from "../cluster/WorkflowExecution.js"

/** A worker: the host buckets' handlers, and the workflow executions (`volley run --cluster`). */
export const workerLayer = (options: WorkerOptions) =>
  workflowWorkerLayer.pipe(Layer.provideMerge(bucketWorkerLayer(options)))
