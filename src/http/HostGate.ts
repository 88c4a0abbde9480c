/**
 * Per-host politeness that learns from the server.
 *
 * - `--per-host N`: at most N attempts in flight to one host.
 * - A `429` (or `503`) with `Retry-After` pauses the whole host for that long — every request to
 *   it waits, not just the one that was told. curl, got, ky and undici only delay the one request.
 * - `RateLimit-Remaining: 0` with `RateLimit-Reset` (IETF draft) or `X-RateLimit-Remaining` /
 *   `X-RateLimit-Reset` (GitHub style, reset as epoch seconds) pause the host until the reset.
 *
 * @module
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { Answer, Learn, RequestGate } from "./RequestGate.js"
import { parseRetryAfter } from "./RetryPolicy.js"

interface HostState {
  readonly semaphore: Effect.Semaphore | undefined
  pausedUntil: number
  /** What an attempt let through at once learns from its answer. */
  readonly learn: Learn
}

export interface HostGateOptions {
  /** Most attempts in flight per host; unset means no per-host cap. */
  readonly perHost: number | undefined
}

const header = (answer: Answer, ...names: ReadonlyArray<string>) => {
  for (const name of names) {
    const value = answer.headers[name]
    if (value !== undefined) return value
  }
  return undefined
}

/** How long the answer asks the host to be left alone, in ms from `nowMs` (0: not at all). */
export const pauseAskedFor = (answer: Answer, nowMs: number): number => {
  if (answer.status === 429 || answer.status === 503) {
    const wait = parseRetryAfter(answer.headers["retry-after"], nowMs)
    if (wait._tag === "Some") return wait.value
  }
  const remaining = header(answer, "ratelimit-remaining", "x-ratelimit-remaining")
  const reset = header(answer, "ratelimit-reset", "x-ratelimit-reset")
  if (remaining !== undefined && Number(remaining) <= 0 && reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const value = Number(reset)
    // Large values are epoch seconds (GitHub), small ones seconds from now (IETF draft).
    return value > 1e9 ? Math.max(0, value * 1000 - nowMs) : value * 1000
  }
  return 0
}

/** A gate keeping per-host limits and pauses for the run. */
export const makeHostGate = (options: HostGateOptions): RequestGate => {
  const hosts = new Map<string, HostState>()
  const stateOf = (host: string) => {
    let state = hosts.get(host)
    if (state === undefined) {
      const made: HostState = {
        semaphore: options.perHost === undefined ? undefined : Effect.unsafeMakeSemaphore(options.perHost),
        pausedUntil: 0,
        learn: (answer, now) => {
          if (mayAskForPause(answer)) pauseFor(made, answer, now)
        }
      }
      hosts.set(host, made)
      state = made
    }
    return state
  }
  const waitWhilePaused = (state: HostState): Effect.Effect<void> =>
    state.pausedUntil === 0 ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, (now) =>
      state.pausedUntil > now
        ? Effect.zipRight(Effect.sleep(state.pausedUntil - now), Effect.suspend(() => waitWhilePaused(state)))
        : Effect.void)
  // Most answers say nothing about pacing; only those that might are timed.
  const mayAskForPause = (answer: Answer) =>
    answer.status === 429 || answer.status === 503 || answer.headers["ratelimit-remaining"] !== undefined ||
    answer.headers["x-ratelimit-remaining"] !== undefined
  const pauseFor = (state: HostState, answer: Answer, now: number) => {
    const pause = pauseAskedFor(answer, now)
    if (pause > 0) state.pausedUntil = Math.max(state.pausedUntil, now + pause)
  }
  const learn = (state: HostState, answer: Answer): Effect.Effect<Answer> =>
    !mayAskForPause(answer) ? Effect.succeed(answer) : Effect.map(Clock.currentTimeMillis, (now) => {
      pauseFor(state, answer, now)
      return answer
    })
  return {
    immediate: (host, nowMs) => {
      const state = stateOf(host)
      if (state.semaphore !== undefined) return undefined
      if (state.pausedUntil !== 0) {
        if (state.pausedUntil > nowMs) return undefined
        // The pause is over: the host is back on the path without a clock read.
        state.pausedUntil = 0
      }
      return state.learn
    },
    around: (host, attempt) =>
      Effect.suspend(() => {
        const state = stateOf(host)
        // The common case — no cap, no pause — costs one step besides the attempt.
        const run = Effect.flatMap(attempt, (answer) => learn(state, answer))
        if (state.semaphore === undefined && state.pausedUntil === 0) return run
        const paused = Effect.zipRight(waitWhilePaused(state), run)
        // Wait out a pause before taking a permit, so a paused host does not hold permits.
        return state.semaphore === undefined
          ? paused
          : Effect.zipRight(waitWhilePaused(state), state.semaphore.withPermits(1)(paused))
      })
  }
}

/** Gates applied in order, the first outermost. */
export const composeGates = (...gates: ReadonlyArray<RequestGate>): RequestGate => ({
  around: (host, attempt) => gates.reduceRight((inner, gate) => gate.around(host, inner), attempt),
  // At once only when every gate lets the attempt through at once; each learns from the answer.
  ...(gates.every((gate) => gate.immediate !== undefined) && {
    immediate: (host: string, nowMs: number) => {
      const learns: Array<Learn> = []
      for (const gate of gates) {
        const learn = gate.immediate!(host, nowMs)
        if (learn === undefined) return undefined
        learns.push(learn)
      }
      return learns.length === 1 ? learns[0] : (answer: Answer, now: number) => {
        for (const learn of learns) learn(answer, now)
      }
    }
  })
})
