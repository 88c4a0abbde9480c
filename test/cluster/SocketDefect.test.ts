/**
 * A socket between cluster processes that fails a write (a runner killed with -9, a connection
 * reset under load) must not end the submitting process with an internal error (exit 70):
 *
 * - `@effect/rpc`'s socket protocol really does turn the failed write into a defect (shown here
 *   over a real `NodeSocket` whose stream fails every write, as a reset connection does);
 * - `retrySocketDefects` sends again (safe: a persisted message under its primary key) and, once
 *   its schedule gives up, fails with a `ClusterError`: one line, exit 2 through `setUpFailure`;
 * - a defect that is not a socket's stays a defect (a bug is still a bug).
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Socket from "@effect/platform/Socket"
import * as Rpc from "@effect/rpc/Rpc"
import * as RpcClient from "@effect/rpc/RpcClient"
import * as RpcGroup from "@effect/rpc/RpcGroup"
import * as RpcSerialization from "@effect/rpc/RpcSerialization"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Schedule } from "effect"
import { Duplex } from "node:stream"
import { setUpFailure } from "../../src/cli/ClusterFetch.js"
import { ExitCode, outcomeOf } from "../../src/cli/ExitCode.js"
import { ClusterError } from "../../src/cluster/ClusterError.js"
import { isSocketDefect, retrySocketDefects } from "../../src/cluster/SocketRetry.js"

class Notify extends RpcGroup.make(Rpc.make("Notify")) {}

/** A connection whose every write fails as a reset one does (EPIPE); `writes` counts the tries. */
const brokenConnection = (writes: { count: number }) =>
  new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      writes.count++
      callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))
    }
  })

/** One RPC over a fresh protocol on a broken connection, as `@effect/cluster` tells a runner. */
const notifyOverBrokenSocket = (writes: { count: number }) =>
  Effect.gen(function*() {
    const client = yield* RpcClient.make(Notify)
    return yield* client.Notify()
  }).pipe(
    Effect.provide(
      Layer.scoped(RpcClient.Protocol, RpcClient.makeProtocolSocket()).pipe(
        Layer.provide(Layer.effect(Socket.Socket, NodeSocket.fromDuplex(Effect.sync(() => brokenConnection(writes))))),
        Layer.provide(RpcSerialization.layerNdjson)
      )
    ),
    Effect.scoped
  )

describe("cluster: a socket that fails a write", () => {
  it.effect("the RPC socket protocol makes the failed write a defect (what reached exit 70)", () =>
    Effect.gen(function*() {
      const writes = { count: 0 }
      const exit = yield* Effect.exit(notifyOverBrokenSocket(writes))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isSuccess(exit)) return
      const defect = Cause.dieOption(exit.cause)
      expect(Option.isSome(defect) && Socket.isSocketError(defect.value)).toBe(true)
      expect(Option.isSome(defect) && isSocketDefect(defect.value)).toBe(true)
      expect(writes.count).toBe(1)
    }))

  it.effect("sent again, then a ClusterError in one line: exit 2, not an internal error", () =>
    Effect.gen(function*() {
      const writes = { count: 0 }
      const exit = yield* Effect.exit(
        notifyOverBrokenSocket(writes).pipe(retrySocketDefects("sending chunk 3 of run r1", Schedule.recurs(2)))
      )
      // The first try and two more, each a fresh connection that fails its write.
      expect(writes.count).toBe(3)
      expect(exit).toEqual(
        Exit.fail(
          new ClusterError({ message: "sending chunk 3 of run r1: An error occurred during Write (write EPIPE)" })
        )
      )
      const outcome = outcomeOf(yield* Effect.exit(setUpFailure(exit)))
      expect(outcome).toEqual({
        code: ExitCode.usage,
        message: "volley: sending chunk 3 of run r1: An error occurred during Write (write EPIPE)"
      })
    }))

  it.effect("a send that fails its write once goes through on the next try", () =>
    Effect.gen(function*() {
      let tries = 0
      const send = Effect.suspend(() =>
        ++tries === 1
          ? Effect.die(new Socket.SocketGenericError({ reason: "Write", cause: new Error("write ECONNRESET") }))
          : Effect.succeed("sent")
      )
      expect(yield* send.pipe(retrySocketDefects("sending", Schedule.recurs(3)))).toBe("sent")
      expect(tries).toBe(2)
    }))

  it.effect("other defects and typed failures pass through untouched, not retried", () =>
    Effect.gen(function*() {
      let tries = 0
      const bug = new Error("a bug")
      const died = yield* Effect.exit(
        Effect.suspend(() => (tries++, Effect.die(bug))).pipe(retrySocketDefects("sending", Schedule.recurs(3)))
      )
      expect(died).toEqual(Exit.die(bug))
      expect(tries).toBe(1)
      const failed = yield* Effect.exit(
        Effect.fail(new ClusterError({ message: "x" })).pipe(retrySocketDefects("sending", Schedule.recurs(3)))
      )
      expect(failed).toEqual(Exit.fail(new ClusterError({ message: "x" })))
    }))
})
