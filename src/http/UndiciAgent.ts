/**
 * The pooled, keep-alive undici agent volley sends with, owned by a scope — and how it
 * connects: TLS settings, HTTP/2 by ALPN, a forward proxy, a unix socket, and both address
 * families for `localhost`.
 *
 * undici's `Agent` is loaded from its own module, not from the package index: the index also
 * loads fetch, cookies, WebSocket and the rest of undici's web APIs, which was a quarter of the
 * CLI's start-up (measured in PERFORMANCE.md). The proxy agents (and the index) load only when a
 * proxy is set.
 *
 * @module
 */
import type * as Undici from "@effect/platform-node/Undici"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns"
import type { EnvHttpProxyAgent } from "undici"
import Agent from "undici/lib/dispatcher/agent.js"
import { timedConnector } from "./ConnectTimings.js"
import { proxyRoutes, type ProxySettings } from "./ProxyConfig.js"
import { tlsConnectOptions, type TlsSettings } from "./TlsOptions.js"

/** Settings of the connection pool and of how it connects. */
export interface PoolOptions extends ProxySettings {
  /**
   * Sockets per origin. Unset means no cap: volley already bounds requests in flight, so undici
   * opens at most that many sockets and never queues a request behind its own limit.
   */
  readonly connectionsPerOrigin?: number
  /** How long an idle socket is kept for reuse. */
  readonly keepAliveMs?: number
  /** Certificates trusted, client certificate, or no verification at all. */
  readonly tls?: TlsSettings
  /** Offer HTTP/2 by ALPN over TLS and use it when the server agrees (else HTTP/1.1). */
  readonly http2?: boolean
  /** Send every request over this unix socket (the URL still gives host and path). */
  readonly unixSocket?: string
  /** Where proxy variables are read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | Array<LookupAddress>,
  family?: number
) => void

/**
 * `localhost` (and `*.localhost`) is the loopback of both families, whatever the hosts file
 * says (RFC 6761, as curl does): with `autoSelectFamily`, a server listening only on `::1` is
 * reached too. Every other name goes to the system's resolver.
 */
export const loopbackAwareLookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  const name = hostname.toLowerCase()
  if (name !== "localhost" && !name.endsWith(".localhost")) {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) =>
      options.all === true || error !== null
        ? callback(error, addresses)
        : callback(null, addresses[0]!.address, addresses[0]!.family))
    return
  }
  const both: Array<LookupAddress> = [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }]
  const wanted = options.family === 4 || options.family === 6 ? both.filter((a) => a.family === options.family) : both
  if (options.all === true) callback(null, wanted)
  else callback(null, wanted[0]!.address, wanted[0]!.family)
}

/** The dispatcher for `options`: a plain agent, or undici's proxy-aware agent when a proxy is set. */
export const makeDispatcher = (options: PoolOptions = {}): Effect.Effect<Undici.Dispatcher> => {
  const connect = {
    ...tlsConnectOptions(options.tls),
    // Happy eyeballs: every address of a name is tried, IPv6 and IPv4 side by side.
    autoSelectFamily: true,
    lookup: loopbackAwareLookup,
    ...(options.unixSocket === undefined ? {} : { socketPath: options.unixSocket })
  }
  const agentOptions = {
    connections: options.connectionsPerOrigin === undefined ? null : Math.max(1, options.connectionsPerOrigin),
    keepAliveTimeout: options.keepAliveMs ?? 10_000,
    pipelining: 1,
    ...(options.http2 === true ? { allowH2: true } : {}),
    connect
  }
  // A unix socket is where every request goes: no proxy then (as curl does).
  const routes = options.unixSocket === undefined ? proxyRoutes(options, options.env) : undefined
  if (routes === undefined) {
    // A connector of undici's own, watched so `--timings` can say how long each phase took (an
    // agent given a connector function offers h2 only if the connector does).
    const timed = timedConnector({ ...connect, ...(options.http2 === true ? { allowH2: true } : {}) })
    return Effect.sync((): Undici.Dispatcher => new Agent({ ...agentOptions, connect: timed }))
  }
  // undici's index only when a proxy is set (the bundle evaluates it lazily too): the proxy
  // agent opens its tunnels with the `connect` method the index installs on every dispatcher.
  return Effect.promise(() => import("undici")).pipe(
    Effect.map((undici): Undici.Dispatcher =>
      new undici.EnvHttpProxyAgent({
        ...agentOptions,
        ...routes,
        // http:// goes to the proxy as a plain request (absolute form); https:// through CONNECT,
        // with the target's TLS settings (and HTTP/2 offer) applied inside the tunnel.
        proxyTunnel: false,
        requestTls: { ...tlsConnectOptions(options.tls), ...(options.http2 === true ? { allowH2: true } : {}) }
      } as EnvHttpProxyAgent.Options)
    )
  )
}

/** An undici agent living as long as the scope (its sockets are closed with it). */
export const scopedAgent = (options: PoolOptions = {}): Effect.Effect<Undici.Dispatcher, never, Scope.Scope> =>
  Effect.acquireRelease(
    makeDispatcher(options),
    (agent) => Effect.promise(() => agent.destroy())
  )
