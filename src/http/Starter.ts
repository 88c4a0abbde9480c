/**
 * The callback lane between the `Fetcher` and the engine's pool: a request started without a
 * fiber, whose worker goes on to its next input in the callback that ends this one. The pool
 * (`engine/OrderedPool.ts`) drives it; the fetcher (`Fetcher.starter`) provides it.
 *
 * @module
 */
import type * as Effect from "effect/Effect"

/**
 * Starts the work on `a` without a fiber and returns its cancel action. Calls exactly one of
 * `succeed` (with the result) or `continueWith` (with an effect that finishes the work in a
 * fiber) once, perhaps before returning.
 */
export type Starter<A, B, E = never, R = never> = (
  a: A,
  succeed: (b: B) => void,
  continueWith: (effect: Effect.Effect<B, E, R>) => void
) => () => void
