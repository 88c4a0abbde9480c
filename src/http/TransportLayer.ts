/**
 * The layers a `Transport` comes from: volley's undici pool (the fast lane, which also provides
 * an `HttpClient` over the same connections) or any `HttpClient` of your own.
 *
 * @module
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { httpClientTransport } from "./HttpClientTransport.js"
import { proxyRoutes } from "./ProxyConfig.js"
import { Transport } from "./Transport.js"
import { type PoolOptions, scopedAgent } from "./UndiciAgent.js"
import { makeUndiciHttpClient } from "./UndiciHttpClient.js"
import { makeUndiciTransport } from "./UndiciTransport.js"

/**
 * A transport over the `HttpClient` in the context: each hop through its `execute`, so its
 * middleware (and a test client) sees every request.
 */
export const httpClientTransportLayer: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.map(HttpClient.HttpClient, httpClientTransport)
)

/**
 * A pooled undici agent owned by the layer, as the fast transport and as an `HttpClient` over the
 * same connections. With `http2` (and neither a proxy nor a unix socket) the transport speaks
 * HTTP/2 through `node:http2` (see `Http2Transport`), falling back to undici for origins that do
 * not; the `HttpClient` stays on undici (which offers h2 too).
 */
export const undiciLayer = (options: PoolOptions = {}): Layer.Layer<Transport | HttpClient.HttpClient> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const agent = yield* scopedAgent(options)
      const client = Context.make(HttpClient.HttpClient, makeUndiciHttpClient(agent))
      // With --http2 the agent offers h2 too (through a proxy), so its version is not known.
      const undici = makeUndiciTransport(agent, options.http2 === true ? undefined : "1.1")
      const direct = options.unixSocket === undefined && proxyRoutes(options, options.env) === undefined
      if (options.http2 !== true || !direct) return Context.add(client, Transport, undici)
      // node:http2 loads only for --http2.
      const { makeHttp2Transport } = yield* Effect.promise(() => import("./Http2Transport.js"))
      const h2 = yield* Effect.acquireRelease(
        Effect.sync(() => makeHttp2Transport(options.tls, undici)),
        (made) => Effect.sync(made.close)
      )
      return Context.add(client, Transport, h2.transport)
    })
  )
