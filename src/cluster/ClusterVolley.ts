/**
 * The library on a cluster (`Volley.layerCluster`): `fetchAll` / `stream` submit their requests
 * as a cluster run — the host buckets `volley fetch --cluster` uses, its settings, its records
 * read back in input order — from a process that joins the cluster as a client only. Options the
 * workers cannot apply are refused by name (`ClusterUnsupported`), never dropped.
 *
 * `src/Volley.ts` imports this module only inside its layer, so a plain `import { Volley }` does
 * not load `@effect/cluster`, `@effect/sql-pg` or their dependencies.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Defaults } from "../domain/Defaults.js"
import type { FetchRecord } from "../domain/FetchRecord.js"
import type { IndexedRequest, RequestSpec } from "../domain/RequestSpec.js"
import { type FetchOptions, fetchOptionsFromSettings, type RequestSettings } from "../http/FetchOptions.js"
import type { Workflow } from "../workflow/Workflow.js"
import { type WorkflowOutput, workflowOutput } from "../workflow/WorkflowOutput.js"
import { ClusterError, clusterError, ClusterUnsupported, type RunCancelled } from "./ClusterError.js"
import { clientLayer } from "./ClusterLayer.js"
import { settingsFromFetch } from "./RunSettings.js"
import { submitRun } from "./Submit.js"
import { executeWorkflow, executionPayload, newExecutionKey, workflowClientLayer } from "./WorkflowExecution.js"

/** `Volley.layerCluster`'s settings: the cluster, and the defaults every run starts from. */
export interface ClusterVolleyOptions extends RequestSettings {
  /** The cluster's PostgreSQL database: `postgres://user@host:5432/db`. */
  readonly url: string
  /** Host buckets of each run (1,024 by default, as `--buckets`): many more than workers. */
  readonly buckets?: number
  /** Inputs per chunk (20,000 by default, as `--chunk-size`): one stored batch per bucket in a chunk. */
  readonly chunkSize?: number
  /** At most this many requests in flight per host, across every worker (`--per-host`). */
  readonly perHost?: number
  /** Send POST/PUT/… again after a worker died (`--resend-unsafe`); else their record is `OutcomeUnknown`. */
  readonly resendUnsafe?: boolean
  /** Where `VOLLEY_CLUSTER_LOCK_EXPIRY` is read (`process.env` by default): every process of a cluster must agree. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** A call's options, as `Volley`'s `CallOptions` has them. */
export interface ClusterCall {
  readonly concurrency?: number | undefined
  readonly failFast?: boolean | undefined
  readonly batchSize?: number | undefined
  readonly fetch?: Partial<FetchOptions> | undefined
  readonly extract?: unknown
}

export type ClusterFailure = ClusterError | ClusterUnsupported | RunCancelled

/** What the layer gives `Volley`: runs submitted through the cluster, and what it refuses. */
export interface ClusterVolley {
  readonly stream: <E, R>(
    requests: Stream.Stream<IndexedRequest, E, R>,
    call: ClusterCall
  ) => Stream.Stream<FetchRecord, E | ClusterFailure, R>
  /** A run of one request: its record. */
  readonly fetchOne: (
    request: RequestSpec,
    fetch: Partial<FetchOptions> | undefined
  ) => Effect.Effect<FetchRecord, ClusterFailure>
  /** An `@effect/workflow` execution on the workers, as `volley run FILE --cluster` starts one. */
  readonly runWorkflow: (
    workflow: Workflow,
    options: { readonly failFast?: boolean | undefined }
  ) => Effect.Effect<WorkflowOutput, ClusterFailure>
}

const refused = (option: string, why: string) =>
  new ClusterUnsupported({ option, message: `Volley.layerCluster does not take ${option}: ${why}` })

const notCarried = "the workers do not apply it yet"

/** The first option of a call the workers cannot honour, if any. */
const unsupportedOf = (call: ClusterCall): ClusterUnsupported | undefined => {
  if (call.concurrency !== undefined) {
    return refused("concurrency", "each worker's --concurrency bounds the requests in flight")
  }
  if (call.failFast === true) return refused("failFast", notCarried)
  if (call.batchSize !== undefined) return refused("batchSize", notCarried)
  if (call.extract !== undefined) return refused("extract", "extractors are not carried to the workers yet")
  const fetch = call.fetch ?? {}
  const given: ReadonlyArray<readonly [boolean, string]> = [
    [fetch.extractor !== undefined, "fetch.extractor"],
    [fetch.expect !== undefined, "fetch.expect"],
    [fetch.gate !== undefined, "fetch.gate"],
    [fetch.exchanges !== undefined, "fetch.exchanges"],
    [fetch.logins !== undefined, "fetch.logins"],
    [fetch.save !== undefined, "fetch.save"],
    [fetch.cookies !== undefined, "fetch.cookies"],
    [fetch.timings === true, "fetch.timings"],
    [fetch.retry?.onRetry !== undefined, "fetch.retry.onRetry"],
    [fetch.body instanceof Uint8Array, "fetch.body as bytes (a multipart form)"]
  ]
  const found = given.find(([yes]) => yes)
  return found === undefined ? undefined : refused(found[1], notCarried)
}

/**
 * Joins the cluster as a client for as long as `Scope` lasts (a layer's scope), and gives the
 * runs it submits. The client starts once; each call is one run.
 */
export const make = (options: ClusterVolleyOptions): Effect.Effect<ClusterVolley, ClusterError, Scope.Scope> =>
  Effect.gen(function*() {
    if (!/^postgres(ql)?:\/\//i.test(options.url)) {
      return yield* new ClusterError({ message: `Volley.layerCluster: '${options.url}' is not a postgres:// URL` })
    }
    // The workflow engine's client too: a workflow is an execution the workers run.
    const context = yield* Layer.build(
      workflowClientLayer.pipe(Layer.provideMerge(clientLayer(options.url, options.env ?? process.env)))
    )
    const base = fetchOptionsFromSettings(options)
    const stream = <E, R>(
      requests: Stream.Stream<IndexedRequest, E, R>,
      call: ClusterCall
    ): Stream.Stream<FetchRecord, E | ClusterFailure, R> => {
      const unsupported = unsupportedOf(call)
      if (unsupported !== undefined) return Stream.fail(unsupported)
      const fetch = call.fetch === undefined ? base : { ...base, ...call.fetch }
      return Stream.unwrap(
        submitRun(requests, {
          settings: settingsFromFetch(fetch, { perHost: options.perHost, resendUnsafe: options.resendUnsafe === true }),
          buckets: options.buckets ?? Defaults.clusterBuckets,
          chunkSize: options.chunkSize ?? Defaults.clusterChunkSize
        }).pipe(Effect.map(({ records }) => records))
      ).pipe(Stream.provideSomeContext(context))
    }
    return {
      stream,
      fetchOne: (request, fetch) =>
        Stream.runHead(stream(Stream.make({ index: 0, request }), { fetch })).pipe(
          Effect.flatMap(Option.match({
            // The run's size is 1, so its records end after its one record is stored.
            onNone: () => Effect.fail(clusterError(`fetching ${request.url}`)("the cluster gave no record")),
            onSome: Effect.succeed
          }))
        ),
      runWorkflow: (workflow, call) => {
        // As `volley run --cluster`: a step's files would be written on whichever worker ran it.
        const saving = workflow.steps.find((step) => step.save !== undefined)
        if (saving !== undefined) {
          return Effect.fail(refused(`save (step '${saving.name}')`, "a step's files would land on the workers"))
        }
        return executeWorkflow(executionPayload(workflow, newExecutionKey(), call.failFast === true)).pipe(
          Effect.map(workflowOutput),
          Effect.provide(context)
        )
      }
    }
  })
