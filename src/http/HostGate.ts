/**
 * Per-host politeness that learns from the server.
 *
 * - `--per-host N`: at most N attempts in flight to one host.
 * - A `429` (or `503`) with `Retry-After` pauses the whole host for that long — every request to
 *   it waits, not just the one that was told. curl, got, ky and undici only delay the one request.
 * - A host that announces its budget — `RateLimit-Remaining` + `RateLimit-Reset` (IETF draft,
 *   with `RateLimit-Limit`), the later drafts' single `RateLimit: "default";r=0;t=30`, or GitHub's
 *   `X-RateLimit-*` — is paced to it: volley counts the
 *   attempts it sends, and once the announced remainder is spent (less what is still in flight),
 *   the next attempts wait for the reset instead of being refused.
 * - No wait is longer than `maxPause` (`--max-backoff`): when the server asks for more (a
 *   `Retry-After: 86400`, a reset in three years), the attempts that would wait fail at once with
 *   `RateLimited`, saying what the server asked.
 *
 * Reset values: `RateLimit-Reset` and `X-RateLimit-Reset` are seconds from now (IETF draft), or,
 * when 1,000,000,000 or more, a Unix time in seconds (GitHub); anything but a non-negative number
 * is ignored, as is a `Retry-After` that is neither delay-seconds nor an HTTP date.
 *
 * @module
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { type FetchError, RateLimited } from "../domain/FetchError.js"
import type { Answer, Learn, RequestGate } from "./RequestGate.js"
import { defaultRetryOptions, describeWait, parseRetryAfter } from "./RetryPolicy.js"

/** What a host announced of its budget. */
interface Budget {
  /** Attempts that may still leave before `resetAt`. */
  tokens: number
  /** When the budget is renewed (ms); 0 once renewed, until an answer says again. */
  resetAt: number
  /** The announced window (the last reset, in ms): how long a renewed budget is assumed to last. */
  windowMs: number
  /** `RateLimit-Limit`, when sent: the budget after a reset. */
  limit: number | undefined
  /** The attempt whose answer set `tokens`: older answers know less. */
  infoSeq: number
  /** The headers that set it, for messages. */
  said: string
}

interface HostState {
  readonly host: string
  readonly semaphore: Effect.Semaphore | undefined
  pausedUntil: number
  /** The header that asked for the pause, for messages. */
  pauseSaid: string
  /** Attempts sent to the host: each attempt's number lets its answer be placed in time. */
  sent: number
  budget: Budget | undefined
}

export interface HostGateOptions {
  /** Most attempts in flight per host; unset means no per-host cap. */
  readonly perHost: number | undefined
  /** The longest the server may make an attempt wait (`--max-backoff`); default 30 s. */
  readonly maxPause?: Duration.DurationInput | undefined
}

/** What an answer says about pacing; fields are absent when it says nothing valid of them. */
export interface RateLimitAnnouncement {
  /** `Retry-After` of a 429 or 503, in ms from now. */
  readonly retryAfterMs?: number
  readonly retryAfter?: string
  readonly remaining?: number
  readonly limit?: number
  /** `RateLimit-Reset` / `X-RateLimit-Reset`, in ms from now. */
  readonly resetMs?: number
  /** The rate-limit headers as sent, for messages. */
  readonly said?: string
}

const header = (answer: Answer, ...names: ReadonlyArray<string>) => {
  for (const name of names) {
    const value = answer.headers[name]
    if (value !== undefined) return { name, value }
  }
  return undefined
}

const number = /^\d+(\.\d+)?$/

/**
 * A parameter of the single `RateLimit` field of the later IETF drafts: `"default";r=0;t=30`
 * (draft 08 on: `r` remaining, `t` reset; `q` is the quota, in `RateLimit-Policy` too) or
 * `limit=10, remaining=0, reset=30` (draft 07).
 */
const structured = (answer: Answer, short: string, long: string) => {
  const pattern = new RegExp(`(?:^|[;,\\s])(?:${short}|${long})=(-?\\d+(?:\\.\\d+)?)`)
  for (const name of short === "q" ? ["ratelimit-policy", "ratelimit"] : ["ratelimit"]) {
    const field = answer.headers[name]
    const match = field === undefined ? null : pattern.exec(field)
    if (match !== null) return { name: `${name} ${short}`, value: match[1]! }
  }
  return undefined
}

/** Seconds from now (IETF draft), or from 1e9 on, a Unix time in seconds (GitHub). */
const resetMsOf = (value: string, nowMs: number): number | undefined => {
  const trimmed = value.trim()
  if (!number.test(trimmed)) return undefined
  const seconds = Number(trimmed)
  return seconds >= 1e9 ? Math.max(0, seconds * 1000 - nowMs) : seconds * 1000
}

/** Reads the pacing headers of an answer (`nowMs`: when it came). */
export const readAnnouncement = (answer: Answer, nowMs: number): RateLimitAnnouncement => {
  const out: { -readonly [K in keyof RateLimitAnnouncement]: RateLimitAnnouncement[K] } = {}
  if (answer.status === 429 || answer.status === 503) {
    const retryAfter = answer.headers["retry-after"]
    const wait = parseRetryAfter(retryAfter, nowMs)
    if (wait._tag === "Some") {
      out.retryAfterMs = wait.value
      out.retryAfter = retryAfter!
    }
  }
  const remaining = header(answer, "ratelimit-remaining", "x-ratelimit-remaining") ??
    structured(answer, "r", "remaining")
  const reset = header(answer, "ratelimit-reset", "x-ratelimit-reset") ?? structured(answer, "t", "reset")
  if (remaining !== undefined && reset !== undefined && /^-?\d+$/.test(remaining.value.trim())) {
    const resetMs = resetMsOf(reset.value, nowMs)
    if (resetMs !== undefined) {
      out.remaining = Math.max(0, Number(remaining.value.trim()))
      out.resetMs = resetMs
      out.said = `${remaining.name}: ${remaining.value.trim()}, ${reset.name}: ${reset.value.trim()}`
      const limit = header(answer, "ratelimit-limit", "x-ratelimit-limit") ?? structured(answer, "q", "limit")
      if (limit !== undefined && /^\d+$/.test(limit.value.trim()) && Number(limit.value) > 0) {
        out.limit = Number(limit.value.trim())
      }
    }
  }
  return out
}

/** How long the answer asks the host to be left alone, in ms from `nowMs` (0: not at all). */
export const pauseAskedFor = (answer: Answer, nowMs: number): number => {
  const said = readAnnouncement(answer, nowMs)
  if (said.retryAfterMs !== undefined) return said.retryAfterMs
  return said.remaining === 0 && said.resetMs !== undefined ? said.resetMs : 0
}

// Most answers say nothing about pacing; only those that might are read.
const mayAskForPause = (answer: Answer) =>
  answer.status === 429 || answer.status === 503 || answer.headers["ratelimit-remaining"] !== undefined ||
  answer.headers["x-ratelimit-remaining"] !== undefined || answer.headers["ratelimit"] !== undefined

/** A gate keeping per-host limits, budgets and pauses for the run. */
export const makeHostGate = (options: HostGateOptions): RequestGate => {
  const maxPauseMs = Duration.toMillis(Duration.decode(options.maxPause ?? defaultRetryOptions.maxBackoff))
  const hosts = new Map<string, HostState>()
  const stateOf = (host: string) => {
    let state = hosts.get(host)
    if (state === undefined) {
      state = {
        host,
        semaphore: options.perHost === undefined ? undefined : Effect.unsafeMakeSemaphore(options.perHost),
        pausedUntil: 0,
        pauseSaid: "",
        sent: 0,
        budget: undefined
      }
      hosts.set(host, state)
    }
    return state
  }

  /** How long an attempt must wait from `now` (0: it may leave), and who asked. */
  const waitOf = (state: HostState, now: number): number => {
    if (state.pausedUntil > now) return state.pausedUntil - now
    const budget = state.budget
    if (budget === undefined || budget.tokens > 0) return 0
    if (budget.resetAt > now) return budget.resetAt - now
    // The reset has come: a new budget, assumed to last as long as the last window did.
    budget.tokens = budget.limit ?? Number.POSITIVE_INFINITY
    budget.resetAt = now + budget.windowMs
    return budget.tokens > 0 ? 0 : budget.windowMs
  }
  const whoAsked = (state: HostState, now: number) =>
    state.pausedUntil > now ? state.pauseSaid : state.budget?.said ?? ""
  const refused = (state: HostState, wait: number, now: number) =>
    new RateLimited({
      host: state.host,
      waitMs: wait,
      message: `the server asked to wait ${describeWait(wait)} (${whoAsked(state, now)}); --max-backoff is ${
        describeWait(maxPauseMs)
      }`
    })
  /** Takes the attempt's place in the host's count (and budget); its number. */
  const take = (state: HostState): number => {
    if (state.budget !== undefined) state.budget.tokens--
    return ++state.sent
  }

  const learnFrom = (state: HostState, seq: number, answer: Answer, now: number) => {
    if (!mayAskForPause(answer)) return
    const said = readAnnouncement(answer, now)
    if (said.retryAfterMs !== undefined && now + said.retryAfterMs > state.pausedUntil) {
      state.pausedUntil = now + said.retryAfterMs
      state.pauseSaid = `Retry-After: ${said.retryAfter}`
    }
    if (said.remaining === undefined || said.resetMs === undefined) return
    const budget = state.budget ??= {
      tokens: Number.POSITIVE_INFINITY,
      resetAt: 0,
      windowMs: 0,
      limit: undefined,
      infoSeq: 0,
      said: ""
    }
    if (said.limit !== undefined) budget.limit = said.limit
    if (seq < budget.infoSeq) return
    // What the server had left when it answered, less the attempts sent since (still on their way).
    budget.infoSeq = seq
    budget.tokens = said.remaining - (state.sent - seq)
    budget.resetAt = now + said.resetMs
    budget.windowMs = said.resetMs
    budget.said = said.said ?? ""
  }

  /** Waits until an attempt may leave, or fails when the wait is longer than allowed. */
  const awaitTurn = (state: HostState): Effect.Effect<void, RateLimited> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const wait = waitOf(state, now)
      if (wait === 0) return Effect.void
      if (wait > maxPauseMs) return Effect.fail(refused(state, wait, now))
      return Effect.zipRight(Effect.sleep(wait), Effect.suspend(() => awaitTurn(state)))
    })
  /** Waits for a turn, takes it, sends, learns. */
  const admitted = <R>(state: HostState, attempt: Effect.Effect<Answer, FetchError, R>) => {
    const send = Effect.suspend(() => {
      const seq = take(state)
      return Effect.flatMap(
        attempt,
        (answer) =>
          !mayAskForPause(answer) ? Effect.succeed(answer) : Effect.map(Clock.currentTimeMillis, (now) => {
            learnFrom(state, seq, answer, now)
            return answer
          })
      )
    })
    // The common case — no pause, no budget — costs no clock read. Judged when the attempt
    // starts (after any permit), not when it is planned.
    return Effect.suspend(() =>
      state.pausedUntil === 0 && state.budget === undefined ? send : Effect.zipRight(awaitTurn(state), send)
    )
  }

  return {
    immediate: (host, nowMs) => {
      const state = stateOf(host)
      if (state.semaphore !== undefined) return undefined
      if (state.pausedUntil !== 0) {
        if (state.pausedUntil > nowMs) return undefined
        // The pause is over: the host is back on the path without a clock read.
        state.pausedUntil = 0
      }
      if (state.budget !== undefined && waitOf(state, nowMs) > 0) return undefined
      const seq = take(state)
      return (answer, now) => learnFrom(state, seq, answer, now)
    },
    around: (host, attempt) =>
      Effect.suspend(() => {
        const state = stateOf(host)
        const run = admitted(state, attempt)
        // Wait out a pause before taking a permit, so a paused host does not hold permits.
        return state.semaphore === undefined
          ? run
          : Effect.zipRight(awaitTurn(state), state.semaphore.withPermits(1)(run))
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
