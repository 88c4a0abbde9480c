/**
 * The production HTTP client: undici with a pooled, keep-alive connection agent, owned by the
 * layer's scope (closed when the program ends).
 *
 * @module
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import { type PoolOptions, scopedAgent } from "./UndiciAgent.js"

export type { PoolOptions } from "./UndiciAgent.js"

/** A scoped undici agent: created with the layer, destroyed (sockets closed) with it. */
export const dispatcherLayer = (options: PoolOptions = {}): Layer.Layer<NodeHttpClient.Dispatcher> =>
  Layer.scoped(NodeHttpClient.Dispatcher, scopedAgent(options))

/** The `HttpClient` volley runs on: undici over a pool sized for `connectionsPerOrigin`. */
export const httpClientLayer = (options: PoolOptions = {}): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(dispatcherLayer(options)))
