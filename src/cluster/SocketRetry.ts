/**
 * Sends that die of a socket error, tried again: what `@effect/rpc` and `@effect/cluster` let
 * through when a connection to a runner breaks.
 *
 * @module
 */
import * as Socket from "@effect/platform/Socket"
import * as RpcClientError from "@effect/rpc/RpcClientError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { type ClusterError, clusterError } from "./ClusterError.js"

/**
 * A defect from a socket between cluster processes. `@effect/rpc`'s socket protocol turns a
 * failed write into a defect (`Effect.orDie`), and `@effect/cluster` lets it through when it
 * tells a runner about a message it has just persisted: a runner that died or dropped the
 * connection (kill -9, a reset under load) would end the sender with an internal error.
 */
export const isSocketDefect = (defect: unknown): boolean =>
  Socket.isSocketError(defect) || Predicate.hasProperty(defect, RpcClientError.TypeId)

/** A socket defect carried as a failure while it is retried; never leaves `retrySocketDefects`. */
class SocketDefect extends Schema.TaggedError<SocketDefect>()("SocketDefect", { defect: Schema.Defect }) {}

/** Up to 8 more tries over about 10 s: 100 ms doubling, at most 2 s apart. */
export const socketRetrySchedule: Schedule.Schedule<unknown> = Schedule.exponential("100 millis").pipe(
  Schedule.union(Schedule.spaced("2 seconds")),
  Schedule.intersect(Schedule.recurs(8)),
  Schedule.asVoid
)

/**
 * Runs `self` again when it dies of a socket defect (only for sends that are safe to repeat:
 * a persisted message under a fixed primary key, an execution under its idempotency key), and
 * once `schedule` gives up, fails with a `ClusterError` saying what was being done. Other
 * defects stay defects: they are bugs.
 */
export const retrySocketDefects =
  (doing: string, schedule: Schedule.Schedule<unknown> = socketRetrySchedule) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | ClusterError, R> =>
    self.pipe(
      Effect.catchSomeDefect((defect) =>
        isSocketDefect(defect) ? Option.some(Effect.fail(new SocketDefect({ defect }))) : Option.none()
      ),
      Effect.retry({ schedule, while: (error) => error instanceof SocketDefect }),
      Effect.catchIf(
        (error): error is SocketDefect => error instanceof SocketDefect,
        (error) => Effect.fail(clusterError(doing)(error.defect))
      )
    )
