/** Running code on the Fetcher over a test client, with the TestClock moved on so delays pass. */
import { Effect, Fiber, Layer, TestClock } from "effect"
import { Fetcher } from "../../src/http/Fetcher.js"
import type { Transport } from "../../src/http/Transport.js"

/** Provides the Fetcher over `client`. */
export const withClient = (client: Layer.Layer<Transport>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provide(self, Fetcher.Default.pipe(Layer.provide(client)))

/** Runs `effect` to its end, moving the TestClock an hour on. */
export const runAll = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 hour")
    return yield* Fiber.join(fiber)
  })
