/**
 * The gate a run uses: adaptive concurrency (when asked for) and per-host limits and learned
 * pauses outside, the shared rate limit inside (a token is taken only when the host is open, just
 * before sending).
 *
 * @module
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Rate } from "../domain/RateText.js"
import { makeAdaptiveGate } from "./AdaptiveGate.js"
import { composeGates, makeHostGate } from "./HostGate.js"
import { makeRateGate } from "./RateGate.js"
import type { RequestGate } from "./RequestGate.js"

export interface PoliteOptions {
  readonly rate: Rate | undefined
  readonly perHost: number | undefined
  /** When set, concurrency adapts to the server, up to this many in flight. */
  readonly adaptive?: number | undefined
  /** The longest a server may make a host wait (`--max-backoff`); longer asks fail the attempts. */
  readonly maxPause?: Duration.DurationInput | undefined
}

/** The run's gate, living as long as the scope. */
export const makePoliteGate = (options: PoliteOptions): Effect.Effect<RequestGate, never, Scope.Scope> => {
  const hostGate = makeHostGate({ perHost: options.perHost, maxPause: options.maxPause })
  const outer = options.adaptive === undefined
    ? hostGate
    : composeGates(makeAdaptiveGate(options.adaptive), hostGate)
  return options.rate === undefined
    ? Effect.succeed(outer)
    : Effect.map(makeRateGate(options.rate), (rate) => composeGates(outer, rate))
}
