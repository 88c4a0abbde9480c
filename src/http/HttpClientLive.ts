/**
 * The production HTTP client: undici with a pooled, keep-alive connection agent, owned by the
 * layer's scope (closed when the program ends).
 *
 * @module
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** Settings of the connection pool. */
export interface PoolOptions {
  /**
   * Sockets per origin. Unset means no cap: volley already bounds requests in flight, so undici
   * opens at most that many sockets and never queues a request behind its own limit.
   */
  readonly connectionsPerOrigin?: number
  /** How long an idle socket is kept for reuse. */
  readonly keepAliveMs?: number
}

/** A scoped undici agent: created with the layer, destroyed (sockets closed) with it. */
export const dispatcherLayer = (options: PoolOptions = {}): Layer.Layer<NodeHttpClient.Dispatcher> =>
  Layer.scoped(
    NodeHttpClient.Dispatcher,
    Effect.acquireRelease(
      Effect.sync(() =>
        new Undici.Agent({
          connections: options.connectionsPerOrigin === undefined ? null : Math.max(1, options.connectionsPerOrigin),
          keepAliveTimeout: options.keepAliveMs ?? 10_000,
          pipelining: 1
        })
      ),
      (agent) => Effect.promise(() => agent.destroy())
    )
  )

/** The `HttpClient` volley runs on: undici over a pool sized for `connectionsPerOrigin`. */
export const httpClientLayer = (options: PoolOptions = {}): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(dispatcherLayer(options)))
