/**
 * The `Volley` service: volley's engine for your own Effect programs. Provide it with a layer —
 * `Volley.layer()` (undici, pooled keep-alive connections), `Volley.layerConfig` (settings from
 * `VOLLEY_*` environment variables) or `Volley.layerWithoutHttpClient()` over an `HttpClient` of
 * your own (such as `testing.layer(...)` in tests) — and call:
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const volley = yield* Volley
 *   const records = yield* volley.fetchAll(["https://api.example.com/a", "https://api.example.com/b"])
 * })
 * Effect.runPromise(program.pipe(Effect.provide(Volley.layer({ concurrency: 20 }))))
 * ```
 *
 * To scale out, provide `Volley.layerCluster({ url: "postgres://…" })` instead: the same calls
 * submit cluster runs to `volley worker` processes (see `cluster/ClusterVolley.ts`).
 *
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Chunk from "effect/Chunk"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ClusterError, ClusterUnsupported, RunCancelled } from "./cluster/ClusterError.js"
import type { ClusterVolleyOptions } from "./cluster/ClusterVolley.js"
import { VolleyConfig } from "./config/VolleyConfig.js"
import type { FetchRecord, FetchRecordOf } from "./domain/FetchRecord.js"
import type { RequestSpec } from "./domain/RequestSpec.js"
import { defaultRunOptions, indexedRequests, runStream } from "./engine/Runner.js"
import { schemaExtractor } from "./extract/EffectSchemaCheck.js"
import type { Extractor } from "./extract/Extractor.js"
import { Fetcher } from "./http/Fetcher.js"
import { type FetchOptions, fetchOptionsFromSettings, type RequestSettings } from "./http/FetchOptions.js"
import type { Transport } from "./http/Transport.js"
import { httpClientTransportLayer, undiciLayer } from "./http/TransportLayer.js"
import type { PoolOptions } from "./http/UndiciAgent.js"
import type { Workflow } from "./workflow/Workflow.js"
import { runWorkflow, type WorkflowOutput } from "./workflow/WorkflowOutput.js"

/** Per-call options; unset ones take the layer's settings. */
export interface CallOptions<A = unknown, I = never> {
  readonly concurrency?: number
  readonly failFast?: boolean
  readonly batchSize?: number
  readonly fetch?: Partial<FetchOptions>
  /**
   * What becomes each ok record's `value` (typed `A`): an extractor (`jmespathExtractor`,
   * `cssExtractor`, …), or an Effect `Schema` the JSON body is decoded with (a body that does not
   * fit fails its record with a `SchemaError`). Takes the place of `fetch.extractor`.
   */
  readonly extract?: Extractor<A> | Schema.Schema<A, I>
}

/**
 * What only `layerCluster` fails with: the cluster could not be used (`ClusterError`), an option
 * it cannot honour (`ClusterUnsupported`, naming it), the run cancelled (`RunCancelled`). A failed
 * request is never an error: it is a record with `ok: false`. The local layers never fail.
 */
export type VolleyError = ClusterError | ClusterUnsupported | RunCancelled

export interface VolleyService {
  /** Fetches every request; the records come back in input order, failures included. */
  readonly fetchAll: <A = unknown, I = never>(
    requests: Iterable<string | RequestSpec>,
    options?: CallOptions<A, I>
  ) => Effect.Effect<Array<FetchRecordOf<A>>, VolleyError>
  /** The streaming form, for inputs too large to hold: records are emitted in input order. */
  readonly stream: <E, R, A = unknown, I = never>(
    requests: Stream.Stream<string | RequestSpec, E, R>,
    options?: CallOptions<A, I>
  ) => Stream.Stream<FetchRecordOf<A>, E | VolleyError, R>
  /** One request, with retries and time-out (a failed request is a record: see its `ok`). */
  readonly fetchOne: (
    request: string | RequestSpec,
    options?: Partial<FetchOptions>
  ) => Effect.Effect<FetchRecord, VolleyError>
  /**
   * Runs a workflow (see `Workflow.make` and `loadWorkflowFile`); the result has the shape
   * `volley run` prints: each step's record, its records (a `forEach`), or `{ skipped }`/`{ failed }`.
   */
  readonly runWorkflow: (
    workflow: Workflow,
    options?: { readonly failFast?: boolean }
  ) => Effect.Effect<WorkflowOutput, VolleyError>
}

/** volley's engine as a service. */
export class Volley extends Context.Tag("volley/Volley")<Volley, VolleyService>() {}

/** Settings a layer starts from; every field is optional (durations as `"10 seconds"` or a `Duration`). */
export interface VolleyDefaults extends RequestSettings {
  readonly concurrency?: number
  /**
   * How `layer`'s client connects: proxy (default: `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`),
   * TLS (`{ insecure, ca, cert, key }`, PEM text), `http2`, `unixSocket`, pool sizes.
   */
  readonly connection?: PoolOptions
}

const toSpec = (
  request: string | RequestSpec
): RequestSpec => (typeof request === "string" ? { url: request } : request)

/** A call's `extract` as an extractor: a Schema decodes the JSON body. */
const extractorOf = <A, I>(extract: Extractor<A> | Schema.Schema<A, I>): Effect.Effect<Extractor<A>> =>
  Schema.isSchema(extract)
    ? schemaExtractor(extract as Schema.Schema<A, I>)
    : Effect.succeed(extract as Extractor<A>)

/** `fetchAll` from a service's `stream`: the same records, collected in input order. */
const fetchAllFrom = (stream: VolleyService["stream"]): VolleyService["fetchAll"] => (requests, options) =>
  Stream.runCollect(stream(Stream.fromIterable(requests), options)).pipe(Effect.map(Chunk.toArray))

/**
 * Builds the service from a `Fetcher` and default settings.
 * @internal
 */
export const make = (defaults: VolleyDefaults = {}): Effect.Effect<VolleyService, never, Fetcher> =>
  Effect.map(Fetcher, (fetcher) => {
    const baseFetch = fetchOptionsFromSettings(defaults)
    const runOptions = <A, I>(options: CallOptions<A, I> = {}) =>
      Effect.map(
        options.extract === undefined ? Effect.succeed(undefined) : extractorOf(options.extract),
        (extractor) => {
          const fetch = options.fetch === undefined ? baseFetch : { ...baseFetch, ...options.fetch }
          return {
            concurrency: options.concurrency ?? defaults.concurrency ?? defaultRunOptions.concurrency,
            failFast: options.failFast ?? defaultRunOptions.failFast,
            batchSize: options.batchSize,
            fetch: extractor === undefined ? fetch : { ...fetch, extractor }
          }
        }
      )
    const stream = <E, R, A = unknown, I = never>(
      requests: Stream.Stream<string | RequestSpec, E, R>,
      options?: CallOptions<A, I>
    ): Stream.Stream<FetchRecordOf<A>, E, R> =>
      Stream.unwrap(Effect.map(runOptions(options), (run) => runStream(indexedRequests(requests), run))).pipe(
        Stream.provideService(Fetcher, fetcher),
        // The value of an ok record is what the extractor of type A gave.
        Stream.map((record) => record as FetchRecordOf<A>)
      )
    return {
      stream,
      fetchAll: fetchAllFrom(stream),
      // Steps start from the layer's defaults, as fetchAll does.
      runWorkflow: (workflow, options) =>
        runWorkflow(workflow, { ...options, fetch: baseFetch }).pipe(Effect.provideService(Fetcher, fetcher)),
      fetchOne: (request, options) =>
        fetcher.fetchOne(
          { index: 0, request: toSpec(request) },
          options === undefined ? baseFetch : { ...baseFetch, ...options }
        )
    } satisfies VolleyService
  })

/**
 * Volley over the `Transport` in the context: `undiciLayer(…)`'s fast lane, or one over an
 * `HttpClient` (`httpClientTransportLayer`).
 */
export const layerWithoutTransport = (
  defaults: VolleyDefaults = {}
): Layer.Layer<Volley, never, Transport> => Layer.effect(Volley, make(defaults)).pipe(Layer.provide(Fetcher.Default))

/**
 * Volley over the `HttpClient` in the context (yours, with its middleware, or a test layer):
 * every request goes through its `execute`.
 */
export const layerWithoutHttpClient = (
  defaults: VolleyDefaults = {}
): Layer.Layer<Volley, never, HttpClient.HttpClient> =>
  layerWithoutTransport(defaults).pipe(Layer.provide(httpClientTransportLayer))

/** Volley with its production client: undici with pooled keep-alive connections, set up by `connection`. */
export const layer = (defaults: VolleyDefaults = {}): Layer.Layer<Volley> =>
  layerWithoutTransport(defaults).pipe(Layer.provide(undiciLayer(defaults.connection)))

/** Volley with settings from `VolleyConfig` (`VOLLEY_*` environment variables by default). */
export const layerConfig: Layer.Layer<Volley, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(VolleyConfig, (settings) => layer(settings))
)

/**
 * Volley on a cluster (issue 16): the same service, its requests submitted as cluster runs to
 * the `volley worker` processes of the cluster whose PostgreSQL database is `url` (sharded by
 * host, records in input order, the same records as a local run). Options the workers cannot
 * apply fail the call with `ClusterUnsupported` naming the option; `runWorkflow` starts the
 * workflow as an execution on the workers, as `volley run FILE --cluster` does. The cluster
 * packages load only when the layer is built.
 */
export const layerCluster = (options: ClusterVolleyOptions): Layer.Layer<Volley, ClusterError> =>
  Layer.scoped(
    Volley,
    Effect.gen(function*() {
      const module = yield* Effect.promise(() => import("./cluster/ClusterVolley.js"))
      const cluster = yield* module.make(options)
      const stream = <E, R, A = unknown, I = never>(
        requests: Stream.Stream<string | RequestSpec, E, R>,
        options?: CallOptions<A, I>
      ): Stream.Stream<FetchRecordOf<A>, E | VolleyError, R> =>
        // An ok record's value is the extractor's; the cluster refuses `extract`, so none is A.
        cluster.stream(indexedRequests(requests), options ?? {}).pipe(Stream.map((r) => r as FetchRecordOf<A>))
      return {
        stream,
        fetchAll: fetchAllFrom(stream),
        fetchOne: (request, options) => cluster.fetchOne(toSpec(request), options),
        runWorkflow: (workflow, options) => cluster.runWorkflow(workflow, options ?? {})
      } satisfies VolleyService
    })
  )
