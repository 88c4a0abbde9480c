/**
 * A graceful stop. On the first Ctrl-C (SIGINT) or SIGTERM, a run that asked for it stops
 * sending new requests and lets those in flight finish, so every answer already paid for is
 * written; the program is interrupted outright after a grace period or a second signal.
 *
 * @module
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

export interface ShutdownService {
  /** Completed when a stop is asked for. */
  /** How many running jobs know how to stop gracefully (0: interrupt at once). */
  readonly graceful: { count: number }
  /** Whether a stop was asked for, without an effect step: a run checks it before every request. */
  readonly isRequested: () => boolean
  /** Asks for a stop (the signal handler calls this). */
  readonly request: () => void
}

export class Shutdown extends Context.Tag("volley/Shutdown")<Shutdown, ShutdownService>() {}

/** A shutdown signal nobody has asked for yet. */
export const makeShutdown = (): ShutdownService => {
  let asked = false
  return {
    graceful: { count: 0 },
    isRequested: () => asked,
    request: () => {
      asked = true
    }
  }
}

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
export const stopRequested: Effect.Effect<boolean> = Effect.map(stopCheck(), (check) => check())

/** A check of whether a stop has been asked for, to call without an effect step. */
export function stopCheck(): Effect.Effect<() => boolean> {
  return Effect.map(
    Effect.serviceOption(Shutdown),
    (shutdown) => Option.isSome(shutdown) ? shutdown.value.isRequested : never
  )
}

const never = () => false
