/**
 * The gate a run uses: per-host limits and learned pauses outside, the shared rate limit inside
 * (a token is taken only when the host is open, just before sending).
 *
 * @module
 */
import { Effect, type Scope } from "effect"
import type { Rate } from "../domain/RateText.js"
import { composeGates, makeHostGate } from "./HostGate.js"
import { makeRateGate } from "./RateGate.js"
import type { RequestGate } from "./RequestGate.js"

export interface PoliteOptions {
  readonly rate: Rate | undefined
  readonly perHost: number | undefined
}

/** The run's gate, living as long as the scope. */
export const makePoliteGate = (options: PoliteOptions): Effect.Effect<RequestGate, never, Scope.Scope> => {
  const host = makeHostGate({ perHost: options.perHost })
  return options.rate === undefined
    ? Effect.succeed(host)
    : Effect.map(makeRateGate(options.rate), (rate) => composeGates(host, rate))
}
