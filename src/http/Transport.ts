/**
 * The transport: the service that sends one attempt — the request, its redirects and its body,
 * within the time-out — and answers with the status, headers and text, or a typed failure.
 *
 * The Fetcher sends through whatever `Transport` its layer provides (`TransportLayer.ts`):
 * volley's undici layer, which drives undici directly — one callback chain and one deadline per
 * attempt, started by a plain callback (`start`) so a pool worker can go from one request to the
 * next without a fiber step — or the layer over any `HttpClient` (a test one, one with
 * middleware), driven through its `execute`.
 *
 * @module
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type { BodyTooLarge, DecodeError, StatusError, TransportError } from "../domain/FetchError.js"
import { TimeoutError } from "../domain/FetchError.js"
import type { SessionCookies } from "./CookieJar.js"
import type { InFlight } from "./InFlight.js"
import type { Hop } from "./Redirect.js"
import type { Answer } from "./RequestGate.js"

/** The limits of one attempt. */
export interface SendLimits {
  /** For the whole attempt: every hop, headers and bodies. */
  readonly timeout: Duration.Duration
  readonly maxBodyBytes: number
  readonly maxRedirects: number
  /** Headers dropped on a redirect to another origin (lower case); volley's list when absent. */
  readonly secretHeaders?: ReadonlySet<string>
  /** Keep the final answer's headers as received (`Answer.rawHeaders`), repeated ones as lists. */
  readonly keepHeaders?: boolean
  /** Time the attempt's phases (`Answer.timings`), where the transport can. */
  readonly timings?: boolean
  /** The session's cookies: sent on every hop they match, and every hop's `Set-Cookie` kept. */
  readonly cookies?: SessionCookies
}

/** What can go wrong in one attempt before the status is judged. */
export type SendError = TransportError | TimeoutError | StatusError | BodyTooLarge | DecodeError

/** How one attempt ended. */
export type SendOutcome = Either.Either<Answer, SendError>

/**
 * Starts one attempt outside any fiber and calls `done` once with its outcome (perhaps before
 * returning). Returns the cancel action, which does nothing once the attempt has ended.
 */
export type StartAttempt = (hop: Hop, limits: SendLimits, done: (outcome: SendOutcome) => void) => () => void

/** What the Fetcher sends attempts through. */
export interface TransportService {
  /**
   * Sends `hop`, follows its redirects and reads the final body, within `limits`. Interrupting
   * the effect cancels the request; when the caller runs inside `withInFlight`, it passes that
   * registry and the cancel action goes there instead of into a hook of its own.
   */
  readonly send: (hop: Hop, limits: SendLimits, inFlight?: InFlight) => Effect.Effect<Answer, SendError>
  /**
   * The same attempt driven by a callback, when the transport has one: the caller can then
   * judge the answer in the callback and resume its fiber once per request (see `attemptWith`).
   */
  readonly start?: StartAttempt
}

/** The transport the Fetcher sends through; see `TransportLayer.ts` for its layers. */
export class Transport extends Context.Tag("volley/Transport")<Transport, TransportService>() {}

/**
 * One attempt as an effect that continues with `then(outcome)`. The attempt is cancelled if the
 * fiber is interrupted: through `inFlight` when the caller has that registry, else a hook of its own.
 */
export const attemptWith = <A, E, R>(
  start: StartAttempt,
  hop: Hop,
  limits: SendLimits,
  inFlight: InFlight | undefined,
  then: (outcome: SendOutcome) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.async<A, E, R>((resume) => {
    let ended = false
    let registered = false
    const cancel = start(hop, limits, (outcome) => {
      ended = true
      if (registered) inFlight!.remove(cancel)
      resume(then(outcome))
    })
    if (ended) return
    if (inFlight === undefined) return Effect.sync(cancel)
    registered = true
    inFlight.add(cancel)
  })

/** A transport whose attempts are started by `start`. */
export const callbackTransport = (start: StartAttempt): TransportService => ({
  // An outcome (an `Either`) is itself the effect that succeeds or fails with it.
  send: (hop, limits, inFlight) => attemptWith(start, hop, limits, inFlight, (outcome) => outcome),
  start
})

/** The failure of an attempt that did not end within `timeout`. */
export const timeoutError = (url: string, timeout: Duration.Duration): TimeoutError =>
  new TimeoutError({
    url,
    timeoutMs: Duration.toMillis(timeout),
    message: `no complete answer within ${Duration.format(timeout)}`
  })
