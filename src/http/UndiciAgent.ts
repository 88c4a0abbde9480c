/**
 * The pooled, keep-alive undici agent volley sends with, owned by a scope.
 *
 * undici's `Agent` is loaded from its own module, not from the package index: the index also
 * loads fetch, cookies, WebSocket and the rest of undici's web APIs, which was a quarter of the
 * CLI's start-up (measured in PERFORMANCE.md).
 *
 * @module
 */
import type * as Undici from "@effect/platform-node/Undici"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import Agent from "undici/lib/dispatcher/agent.js"

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

/** An undici agent living as long as the scope (its sockets are closed with it). */
export const scopedAgent = (options: PoolOptions = {}): Effect.Effect<Undici.Dispatcher, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync((): Undici.Dispatcher =>
      new Agent({
        connections: options.connectionsPerOrigin === undefined ? null : Math.max(1, options.connectionsPerOrigin),
        keepAliveTimeout: options.keepAliveMs ?? 10_000,
        pipelining: 1
      })
    ),
    (agent) => Effect.promise(() => agent.destroy())
  )
