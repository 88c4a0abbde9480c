/**
 * Serving the demo API on loopback: as a layer (for `volley serve`) or started in the current
 * scope with its URL (for the demo, the benchmark and tests).
 *
 * @module
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import { demoApp } from "./DemoApi.js"
import { makeServerStats, ServerStats, type ServerStatsService } from "./ServerStats.js"

export interface DemoServerOptions {
  /** 0 picks a free port. */
  readonly port?: number
  /** Loopback unless said otherwise. */
  readonly host?: string
}

/** The running demo API. */
export interface DemoServer {
  readonly url: string
  readonly stats: ServerStatsService
}

/** The `http://host:port` a server answers on. */
export const formatAddress = (address: HttpServer.Address): string =>
  address._tag === "UnixAddress"
    ? `unix:${address.path}`
    : `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`

/**
 * A node server whose `close` also drops connections still busy: a stopping demo server must not
 * wait for a slow answer to a client that has gone (Node only closes the idle ones).
 */
const makeNodeServer = () => {
  const server = createServer({ keepAliveTimeout: 30_000 })
  const close = server.close.bind(server)
  server.close = (callback) => {
    server.closeAllConnections()
    return close(callback)
  }
  return server
}

/** The demo API as a layer: listening while the layer lives. */
export const layer = (
  options: DemoServerOptions = {},
  stats: ServerStatsService = makeServerStats()
): Layer.Layer<HttpServer.HttpServer | ServerStats, ServeError> =>
  HttpServer.serve(demoApp).pipe(
    Layer.provideMerge(
      NodeHttpServer.layer(makeNodeServer, {
        port: options.port ?? 0,
        host: options.host ?? "127.0.0.1"
      })
    ),
    Layer.provideMerge(Layer.succeed(ServerStats, stats)),
    Layer.map((context) => Context.pick(HttpServer.HttpServer, ServerStats)(context))
  )

/** Starts the demo API in the current scope; it stops when the scope closes. */
export const startDemoServer = (
  options: DemoServerOptions = {}
): Effect.Effect<DemoServer, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const stats = makeServerStats()
    const context = yield* Layer.build(layer(options, stats))
    const server = Context.get(context, HttpServer.HttpServer)
    return { url: formatAddress(server.address), stats }
  })
