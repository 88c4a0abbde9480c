/**
 * A graceful stop. On the first Ctrl-C (SIGINT) or SIGTERM, a run that asked for it stops
 * sending new requests and lets those in flight finish, so every answer already paid for is
 * written; the program is interrupted outright after a grace period or a second signal.
 *
 * @module
 */
import { Context, Deferred, Effect, FiberId, Option } from "effect"

export interface ShutdownService {
  /** Completed when a stop is asked for. */
  readonly requested: Deferred.Deferred<void>
  /** How many running jobs know how to stop gracefully (0: interrupt at once). */
  readonly graceful: { count: number }
}

export class Shutdown extends Context.Tag("volley/Shutdown")<Shutdown, ShutdownService>() {}

/** A shutdown signal nobody has asked for yet. */
export const makeShutdown = (): ShutdownService => ({
  requested: Deferred.unsafeMake<void>(FiberId.none),
  graceful: { count: 0 }
})

/** Runs `self` as a job that stops gracefully (see `stopRequested`) when a `Shutdown` is provided. */
export const gracefully = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(Shutdown), (shutdown) =>
    Option.match(shutdown, {
      onNone: () => self,
      onSome: (s) =>
        Effect.acquireUseRelease(
          Effect.sync(() => s.graceful.count++),
          () => self,
          () => Effect.sync(() => s.graceful.count--)
        )
    }))

/** Whether a stop has been asked for. */
export const stopRequested: Effect.Effect<boolean> = Effect.flatMap(
  Effect.serviceOption(Shutdown),
  (shutdown) => Option.isSome(shutdown) ? Deferred.isDone(shutdown.value.requested) : Effect.succeed(false)
)
