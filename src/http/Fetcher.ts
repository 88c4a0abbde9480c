/**
 * The Fetcher sends one request, with its retries, time-out, redirects and size limit, and turns
 * whatever happens into a record. It never fails: a failure is a record with `ok: false`.
 *
 * @module
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import { firstFailure } from "../check/Check.js"
import { roundMs } from "../domain/DurationText.js"
import { messageOf } from "../domain/ErrorText.js"
import {
  DecodeError,
  ExtractError,
  type FetchError,
  InvalidRequest,
  InvalidUrl,
  isTransientStatus,
  StatusError
} from "../domain/FetchError.js"
import type { FailedRecord, FetchRecord, OkRecord, RecordHeaders } from "../domain/FetchRecord.js"
import { keepJsonText } from "../domain/RecordJson.js"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { makeResponseBody, recordBody, type ResponseBody } from "../domain/ResponseBody.js"
import { userAgent } from "../domain/Version.js"
import type { Extractor } from "../extract/Extractor.js"
import { countRecord, countStarted, isBuiltInTracer, tracedWith } from "../observability/FetchTelemetry.js"
import { setAttemptTimes } from "./AttemptTimes.js"
import { basicAuthorization, type Login, type LoginSource, stripUserinfo, takeUserinfo } from "./Credentials.js"
import { acceptEncoding } from "./Decompression.js"
import type { ExchangeLog } from "./ExchangeLog.js"
import { type FetchOptions, revealHeaders } from "./FetchOptions.js"
import { currentInFlight, type InFlight } from "./InFlight.js"
import type { Hop } from "./Redirect.js"
import type { Answer, Learn } from "./RequestGate.js"
import { headerValue } from "./RequestHeaders.js"
import { describeWait, isRetryable, parseRetryAfter, retrySchedule } from "./RetryPolicy.js"
import { fileSink } from "./SaveBody.js"
import type { Starter } from "./Starter.js"
import { attemptWith, type SendLimits, type SendOutcome, Transport, type TransportService } from "./Transport.js"

/** Parses an input into an absolute http(s) URL, or says why it is not one. */
export const parseHttpUrl = (input: string): Either.Either<URL, string> => {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return Either.left(input.trim() === "" ? "empty URL" : `not a URL: ${JSON.stringify(input)}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(`not an http(s) URL: ${JSON.stringify(input)}`)
  }
  // The URL parser refuses ports past 65535; port 0 it takes, but nothing listens there.
  return url.port === "0" ? Either.left(`port 0 is not a port: ${JSON.stringify(input)}`) : Either.right(url)
}

/** The process ran out of file descriptors (its `ulimit -n`, or the system's): nothing was sent. */
export const isOutOfFiles = (error: FetchError): boolean =>
  error._tag === "TransportError" && /\bE[MN]FILE\b/.test(error.message)

/**
 * How many times one request waits for a free file descriptor before it fails: at the longest
 * wait, about a minute. A descriptor frees up as soon as any answer is in, so waits stay short
 * (a longer one leaves connections idle while requests sleep: measured 10x slower at 1 s).
 */
const maxFileWaits = 600

/** The wait before trying again for a descriptor: 10 ms doubling to 100 ms, jittered ±50%. */
const waitForFiles = (waits: number): Effect.Effect<void> =>
  Effect.flatMap(Random.next, (r) => Effect.sleep(Math.min(100, 10 * 2 ** waits) * (0.5 + r)))

const isSuccess = (status: number) => status >= 200 && status < 300

/** Whether a status passes: the run's `--expect-status` list, else the 2xx rule. */
const accepts = (options: FetchOptions, status: number) =>
  options.expect?.status === undefined ? isSuccess(status) : options.expect.status.accepts(status)

/** Whether an answer needs more than its status judged: an extractor, or assertions. */
const needsJudging = (options: FetchOptions) =>
  options.extractor !== undefined || (options.expect !== undefined && options.expect.assertions.length > 0)

/** The failed record for `error`; `answer` is the last answer when one came. */
const failedRecord = (
  index: number,
  url: string,
  attempts: number,
  ms: number,
  error: FetchError,
  answer: Answer | undefined,
  keepBody: boolean,
  maxJsonDepth: number,
  firstHref?: string,
  id?: string | number
): FailedRecord => {
  const status = answer?.status ?? (error._tag === "StatusError" ? error.status : undefined)
  const base64 = answer !== undefined && isBase64(answer)
  const body = answer !== undefined && keepBody
    ? makeResponseBody(answer.text, answer.headers["content-type"], false, base64, maxJsonDepth)
    : undefined
  const finalUrl = answer === undefined || answer.url === firstHref ? undefined : answer.url
  const record: FailedRecord = {
    index,
    url,
    ok: false,
    ...(status === undefined ? {} : { status }),
    attempts,
    ms: roundMs(ms),
    ...(body === undefined ? {} : { body: recordBody(body), ...(base64 ? { bodyEncoding: "base64" as const } : {}) }),
    error: { _tag: error._tag, message: error.message },
    ...(finalUrl === undefined ? {} : { finalUrl }),
    ...(answer?.rawHeaders === undefined ? {} : { headers: recordHeaders(answer.rawHeaders) }),
    ...(answer?.httpVersion === undefined ? {} : { httpVersion: answer.httpVersion }),
    ...(answer?.timings === undefined ? {} : { timings: answer.timings }),
    ...(id === undefined ? {} : { id })
  }
  return body === undefined ? record : keepJsonText(record, body.jsonText, body.exactNumbers)
}

/**
 * Runs an extractor on one body; whatever it throws (a library's stack overflow on a hostile
 * page, a bug in a user's extractor) fails this record with `ExtractError`, not the run.
 */
const applyContained = (extractor: Extractor, body: ResponseBody, url: string) =>
  Effect.catchAllDefect(
    Effect.suspend(() => extractor.apply(body, url)),
    (defect) =>
      new ExtractError({
        url,
        message: `${extractor.description} failed on this body: ${messageOf(defect)}`
      })
  )

/** The failure of a body that should be JSON and is nested too deep to be read. */
const jsonFailure = (url: string, body: ResponseBody): DecodeError | undefined =>
  body.jsonProblem === undefined ? undefined : new DecodeError({ url, message: body.jsonProblem })

/**
 * The failure for a non-2xx (or not `--expect-status`) answer, with the server's `Retry-After`
 * when it sent one; one that asks for longer than `maxBackoffMs` (so it is not retried) says so.
 */
const statusFailure = (answer: Answer, nowMs: number, maxBackoffMs: number, expected?: string): StatusError => {
  const retryAfterMs = Option.getOrUndefined(parseRetryAfter(answer.headers["retry-after"], nowMs))
  const tooLong = retryAfterMs !== undefined && retryAfterMs > maxBackoffMs && isTransientStatus(answer.status)
  return new StatusError({
    url: answer.url,
    status: answer.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    message: `HTTP ${answer.status}${statusText(answer.status)}${
      tooLong
        ? ` (the server asked to wait ${describeWait(retryAfterMs)} (Retry-After: ${
          answer.headers["retry-after"]!.trim()
        }); --max-backoff is ${describeWait(maxBackoffMs)})`
        : ""
    }${expected === undefined ? "" : ` (expected ${expected})`}`
  })
}

/** What stays the same for every request of a set of options: worked out once. */
interface Prepared {
  readonly limits: SendLimits
  readonly headers: Readonly<Record<string, string>>
  /** Whether the run-wide headers let volley decode (it offered its own `Accept-Encoding`). */
  readonly decode: boolean
  readonly schedule: Schedule.Schedule<unknown, FetchError>
  readonly retryable: (error: FetchError) => boolean
  readonly maxBackoffMs: number
  /** Why the shared headers cannot be sent, when one of them cannot. */
  readonly badHeader: string | undefined
}

const prepare = (options: FetchOptions): Prepared => {
  const headers = withUserAgent(revealHeaders(options.headers))
  const decode = options.decompress && headerValue(headers, "accept-encoding") === undefined
  return {
    limits: {
      timeout: options.timeout,
      maxBodyBytes: options.maxBodyBytes,
      maxRedirects: options.maxRedirects,
      secretHeaders: options.secretHeaders,
      ...(options.includeHeaders === true ? { keepHeaders: true } : {}),
      ...(options.timings === true ? { timings: true } : {}),
      ...(options.cookies === undefined ? {} : { cookies: options.cookies })
    },
    headers: decode ? { ...headers, "accept-encoding": acceptEncoding } : headers,
    decode,
    schedule: retrySchedule(options.retry),
    retryable: isRetryable(options.retry),
    maxBackoffMs: Duration.toMillis(Duration.decode(options.retry.maxBackoff)),
    badHeader: unsafeHeader(revealHeaders(options.headers))
  }
}

/** The record with the input's `id`, when it has one. */
const withId = <R extends FetchRecord>(record: R, id: string | number | undefined): R =>
  id === undefined ? record : { ...record, id }

/** Headers as received, as a record shows them: lower-case names, a header sent twice as a list. */
const recordHeaders = (raw: NonNullable<Answer["rawHeaders"]>): RecordHeaders => {
  const out: Record<string, string | ReadonlyArray<string>> = {}
  for (const name in raw) {
    const value = raw[name]
    if (value === undefined) continue
    const key = name.toLowerCase()
    const before = out[key]
    const values = typeof value === "string" ? [value] : value
    const all = before === undefined ? values : [...(typeof before === "string" ? [before] : before), ...values]
    out[key] = all.length === 1 ? all[0]! : all
  }
  return out
}

/** Whether an answer's body is not text (its `text` is base64). */
const isBase64 = (answer: Answer) => answer.bodyEncoding === "base64"

/** The headers of a request that sets some of its own, and whether volley decodes its answer. */
const requestHeaders = (
  options: FetchOptions,
  own: Readonly<Record<string, string>>
): { readonly headers: Record<string, string>; readonly decode: boolean } => {
  const headers = withUserAgent({ ...revealHeaders(options.headers), ...own })
  const decode = options.decompress && headerValue(headers, "accept-encoding") === undefined
  return { headers: decode ? { ...headers, "accept-encoding": acceptEncoding } : headers, decode }
}

/**
 * A header whose value holds CR, LF or NUL (it would end the header, or inject another). The
 * value is not quoted: it may be a secret.
 */
const unsafeHeader = (headers: Readonly<Record<string, string>>): string | undefined => {
  for (const name in headers) {
    if (/[\r\n\0]/.test(headers[name]!)) return `header ${name}: the value holds a line break or NUL`
  }
  return undefined
}

export class Fetcher extends Effect.Service<Fetcher>()("volley/Fetcher", {
  effect: Effect.map(Transport, (transport) => makeFetcher(transport))
}) {}

/** The Fetcher's `fetchOne` over a transport. */
const makeFetcher = (transport: TransportService) => {
  const prepared = new WeakMap<FetchOptions, Prepared>()
  const prepareOnce = (options: FetchOptions) => {
    let ready = prepared.get(options)
    if (ready === undefined) {
      ready = prepare(options)
      prepared.set(options, ready)
    }
    return ready
  }

  const okRecord = (p: Pending, answer: Answer, body: ResponseBody, value: unknown): FetchRecord => {
    // Built field by field, not with spreads: this runs for every record.
    const record: { -readonly [K in keyof OkRecord]: OkRecord[K] } = {
      index: p.index,
      url: p.url,
      ok: true,
      status: answer.status,
      attempts: p.attempts,
      ms: roundMs(elapsedMs(p))
    }
    if (answer.saved !== undefined) {
      record.file = answer.saved.file
      record.bytes = answer.saved.bytes
      record.sha256 = answer.saved.sha256
    } else if (p.options.keepBody) {
      record.body = recordBody(body)
      if (body.bodyEncoding !== undefined) record.bodyEncoding = body.bodyEncoding
    }
    if (p.options.extractor !== undefined) record.value = value
    if (answer.url !== p.hop.url.href) record.finalUrl = answer.url
    if (answer.rawHeaders !== undefined) record.headers = recordHeaders(answer.rawHeaders)
    if (answer.httpVersion !== undefined) record.httpVersion = answer.httpVersion
    if (answer.timings !== undefined) record.timings = answer.timings
    if (p.id !== undefined) record.id = p.id
    if (body.jsonText !== undefined || body.exactNumbers) {
      keepJsonText(record, p.options.keepBody ? body.jsonText : undefined, body.exactNumbers)
    }
    if (p.options.exchanges !== undefined) logExchange(p, p.options.exchanges, answer)
    if (p.attemptMs !== undefined) setAttemptTimes(record, p.attemptMs)
    return countRecord(record)
  }
  const bodyOf = (p: Pending, answer: Answer) =>
    makeResponseBody(
      answer.text,
      // A saved body is in its file: nothing to parse.
      answer.saved === undefined ? answer.headers["content-type"] : undefined,
      p.options.extractor?.needsJson ?? false,
      answer.bodyEncoding === "base64",
      p.options.maxJsonDepth
    )
  /** The record for an answer, or the failure it amounts to (a status, an extraction). */
  const verdict = (p: Pending, answer: Answer): Effect.Effect<FetchRecord, FetchError> => {
    p.lastAnswer = answer
    if (!accepts(p.options, answer.status)) {
      const expected = p.options.expect?.status?.source
      return Effect.fail(statusFailure(answer, p.clock.unsafeCurrentTimeMillis(), p.ready.maxBackoffMs, expected))
    }
    const body = bodyOf(p, answer)
    const tooDeep = jsonFailure(p.url, body)
    if (tooDeep !== undefined) return Effect.fail(tooDeep)
    const extractor = p.options.extractor
    if (extractor === undefined) return checked(p, answer, body, undefined)
    if (body.bodyEncoding !== undefined) {
      return Effect.fail(
        new DecodeError({
          url: p.url,
          message: `the body is not text (${body.contentType ?? "no content type"}): nothing to extract from`
        })
      )
    }
    return Effect.flatMap(applyContained(extractor, body, p.url), (value) => checked(p, answer, body, value))
  }
  /** The record, once the run's assertions pass (the first that fails is the failure). */
  const checked = (p: Pending, answer: Answer, body: ResponseBody, value: unknown) => {
    const expect = p.options.expect
    const failure = expect === undefined || expect.assertions.length === 0 ? undefined : firstFailure(expect, {
      url: p.url,
      status: answer.status,
      headers: answer.headers,
      body: recordBody(body),
      value,
      ms: roundMs(elapsedMs(p)),
      attempts: p.attempts
    })
    return failure === undefined ? Effect.succeed(okRecord(p, answer, body, value)) : Effect.fail(failure)
  }
  const failed = (p: Pending, error: FetchError) => {
    if (p.options.exchanges !== undefined) logExchange(p, p.options.exchanges, p.lastAnswer)
    const record = failedRecord(
      p.index,
      p.url,
      // A RateLimited attempt was refused before it was sent.
      error._tag === "RateLimited" ? p.attempts - 1 : p.attempts,
      elapsedMs(p),
      error,
      p.lastAnswer,
      p.options.keepBody,
      p.options.maxJsonDepth,
      p.hop.url.href,
      p.id
    )
    if (p.attemptMs !== undefined) setAttemptTimes(record, p.attemptMs)
    return Effect.succeed(countRecord(record))
  }
  /**
   * One attempt through the gate (rate limits, per-host caps and pauses). A connection this
   * process had no file descriptor for (`EMFILE`) was never sent: it waits for one to free up
   * and goes again, and that is not an attempt.
   */
  const send = (p: Pending, fileWaits = 0): Effect.Effect<Answer, FetchError> =>
    Effect.catchIf(
      p.options.gate.around(p.hop.url.host, transport.send(p.hop, p.ready.limits, p.inFlight)),
      (error) => fileWaits < maxFileWaits && isOutOfFiles(error),
      () => Effect.zipRight(waitForFiles(fileWaits), send(p, fileWaits + 1))
    )
  /** After a failed first attempt: retries on the schedule, or the failed record. */
  const recover = (p: Pending, error: FetchError, waitedForFiles = false): Effect.Effect<FetchRecord> => {
    if (!waitedForFiles && isOutOfFiles(error)) {
      return Effect.matchEffect(Effect.zipRight(waitForFiles(0), send(p, 1)), {
        onFailure: (next) => recover(p, next, true),
        onSuccess: (answer) => lift(firstVerdict(p, answer))
      })
    }
    // Only a failed first attempt pays for the retry machinery.
    if (!p.ready.retryable(error)) return failed(p, error)
    let replayed = false
    let last = error
    let failedAt = p.clock.unsafeCurrentTimeMillis()
    // The first attempt took all the time so far; each retry is timed on its own, without its wait.
    const attemptMs = [elapsedMs(p)]
    p.attemptMs = attemptMs
    const onRetry = p.options.retry.onRetry
    const attempt = Effect.suspend(() => {
      const startedNanos = p.clock.unsafeCurrentTimeNanos()
      const took = () => Number(p.clock.unsafeCurrentTimeNanos() - startedNanos) / 1e6
      return Effect.flatMap(send(p), (answer) => verdict(p, answer)).pipe(
        Effect.tap(() => Effect.sync(() => attemptMs.push(took()))),
        Effect.tapError((e) =>
          Effect.sync(() => {
            last = e
            failedAt = p.clock.unsafeCurrentTimeMillis()
            // A RateLimited attempt was refused before it was sent: it took no time at the server.
            if (e._tag !== "RateLimited") attemptMs.push(took())
          })
        )
      )
    })
    const again = Effect.suspend(() => {
      if (!replayed) {
        replayed = true
        return Effect.fail(error)
      }
      p.attempts++
      p.lastAnswer = undefined
      if (onRetry === undefined) return attempt
      const event = {
        url: p.url,
        attempt: p.attempts,
        of: p.options.retry.retries + 1,
        error: last,
        waitedMs: p.clock.unsafeCurrentTimeMillis() - failedAt
      }
      return Effect.zipRight(onRetry(event), attempt)
    })
    return Effect.catchAll(Effect.retry(again, p.ready.schedule), (last) => failed(p, last))
  }
  /** The first answer judged: a plain success is the record itself, anything else an effect. */
  const firstVerdict = (p: Pending, answer: Answer): FetchRecord | Effect.Effect<FetchRecord> => {
    if (needsJudging(p.options) || !accepts(p.options, answer.status)) {
      return Effect.catchAll(verdict(p, answer), (error) => recover(p, error))
    }
    p.lastAnswer = answer
    const body = bodyOf(p, answer)
    const tooDeep = jsonFailure(p.url, body)
    return tooDeep === undefined ? okRecord(p, answer, body, undefined) : failed(p, tooDeep)
  }
  /** The first attempt's outcome, when it was let through at once: learnt from, then judged. */
  const settle = (p: Pending, learn: Learn, outcome: SendOutcome): FetchRecord | Effect.Effect<FetchRecord> => {
    if (outcome._tag === "Left") return recover(p, outcome.left)
    learn(outcome.right, p.clock.unsafeCurrentTimeMillis())
    return firstVerdict(p, outcome.right)
  }

  /**
   * Plans one input: retries transient failures on the retry schedule, extracts the value, and
   * records time and attempts. The path of a first attempt that succeeds is kept short — it is
   * what runs a million times: with a callback transport and a gate with nothing to wait for, it
   * is one callback, the answer is judged where it arrives, and nothing is made for the retries.
   */
  const plan = (
    input: IndexedRequest,
    options: FetchOptions,
    clock: Clock.Clock,
    inFlight: InFlight | undefined
  ): Plan => {
    const { index, request } = input
    if (input.invalid !== undefined) {
      return {
        _tag: "Done",
        record: withId(
          countRecord(failedRecord(index, stripUserinfo(request.url), 0, 0, input.invalid, undefined, false, 0)),
          input.id
        )
      }
    }
    // A URL's `user:password@` is sent as Basic auth and never shown: records quote it without.
    const shown = stripUserinfo(request.url)
    const parsed = parseHttpUrl(request.url)
    if (Either.isLeft(parsed)) {
      const message = shown === request.url
        ? parsed.left
        : parsed.left.split(JSON.stringify(request.url)).join(JSON.stringify(shown))
      const error = new InvalidUrl({ input: shown, message })
      return {
        _tag: "Done",
        record: withId(countRecord(failedRecord(index, shown, 0, 0, error, undefined, false, 0)), input.id)
      }
    }
    const ready = prepareOnce(options)
    const badHeader = ready.badHeader ?? (request.headers === undefined ? undefined : unsafeHeader(request.headers))
    if (badHeader !== undefined) {
      const error = new InvalidRequest({ url: shown, message: badHeader })
      return {
        _tag: "Done",
        record: withId(countRecord(failedRecord(index, shown, 0, 0, error, undefined, false, 0)), input.id)
      }
    }
    const url = parsed.right
    countStarted()
    const own = request.headers === undefined ? undefined : requestHeaders(options, request.headers)
    let headers = own === undefined ? ready.headers : own.headers
    // Only a URL with an `@`, or a run with logins (`--netrc`), pays for credentials.
    const login = shown === request.url ? undefined : takeUserinfo(url)
    if (login !== undefined || options.logins !== undefined) {
      const authorization = authorizationFor(url, login, headers, options.logins)
      if (authorization !== undefined) headers = withAuthorization(headers, authorization)
    }
    const p: Pending = {
      index,
      id: input.id,
      url: shown,
      options,
      ready,
      clock,
      inFlight,
      startNanos: clock.unsafeCurrentTimeNanos(),
      hop: {
        method: request.method ?? options.method,
        url,
        headers,
        body: request.body ?? options.body,
        redirects: 0,
        decode: own === undefined ? ready.decode : own.decode,
        // Set only when saving, so the hop of every other request keeps one shape.
        save: options.save === undefined ? undefined : fileSink(options.save.nameFor(index, url))
      },
      attempts: 1,
      lastAnswer: undefined,
      attemptMs: undefined
    }
    const learn = transport.start === undefined
      ? undefined
      : options.gate.immediate?.(url.host, clock.unsafeCurrentTimeMillis())
    if (learn === undefined) {
      return {
        _tag: "Effect",
        effect: Effect.matchEffect(send(p), {
          onFailure: (error) => recover(p, error),
          onSuccess: (answer) => lift(firstVerdict(p, answer))
        })
      }
    }
    return { _tag: "Start", pending: p, learn }
  }

  /** The clock of the fiber. */
  const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
    Context.get(fiber.currentDefaultServices, Clock.Clock)

  return {
    fetchOne: (input: IndexedRequest, options: FetchOptions): Effect.Effect<FetchRecord> =>
      // One step reads the clock, the tracer and the in-flight registry of the fiber.
      Effect.withFiberRuntime((fiber) => {
        const inFlight = fiber.getFiberRef(currentInFlight)
        const planned = plan(input, options, clockOf(fiber), inFlight)
        return tracedWith(
          fiber.currentTracer,
          input.request.url,
          input.request.method ?? options.method,
          planned._tag === "Done"
            ? Effect.succeed(planned.record)
            : planned._tag === "Effect"
            ? planned.effect
            : attemptWith(transport.start!, planned.pending.hop, planned.pending.ready.limits, inFlight, (outcome) =>
              lift(settle(planned.pending, planned.learn, outcome)))
        )
      }),
    /**
     * `fetchOne` driven by callbacks, for a caller that runs many inputs without a fiber each
     * (the ordered pool): `undefined` when this fiber's set-up needs the effect (a tracer that
     * makes spans, a client without a callback transport).
     */
    starter: (options: FetchOptions): Effect.Effect<Starter<IndexedRequest, FetchRecord> | undefined> =>
      Effect.withFiberRuntime((fiber) => {
        if (transport.start === undefined || !isBuiltInTracer(fiber.currentTracer)) return Effect.succeed(undefined)
        const clock = clockOf(fiber)
        const start = transport.start
        return Effect.succeed<Starter<IndexedRequest, FetchRecord>>((input, succeed, continueWith) => {
          // No in-flight registry here: the caller cancels the attempt it started; an effect
          // handed back (retries) installs its own interruption hook.
          const planned = plan(input, options, clock, undefined)
          if (planned._tag === "Done") return noCancel(succeed(planned.record))
          if (planned._tag === "Effect") return noCancel(continueWith(planned.effect))
          const { learn, pending } = planned
          return start(pending.hop, pending.ready.limits, (outcome) => {
            const next = settle(pending, learn, outcome)
            if (Effect.isEffect(next)) continueWith(next)
            else succeed(next)
          })
        })
      })
  } as const
}

/** One input on its way: what its attempts share. */
interface Pending {
  readonly index: number
  /** The input's own `id`, copied to its record. */
  readonly id: string | number | undefined
  /** The URL as given (records quote it). */
  readonly url: string
  readonly options: FetchOptions
  readonly ready: Prepared
  readonly clock: Clock.Clock
  readonly inFlight: InFlight | undefined
  readonly startNanos: bigint
  readonly hop: Hop
  attempts: number
  lastAnswer: Answer | undefined
  /** Each attempt's duration, once a first attempt has failed (a first success has only `ms`). */
  attemptMs: Array<number> | undefined
}

/** Hands the input's exchange to the run's log (for reports that need headers and bodies). */
const logExchange = (p: Pending, log: ExchangeLog, answer: Answer | undefined) =>
  log.put(p.index, {
    startedMs: p.clock.unsafeCurrentTimeMillis() - elapsedMs(p),
    method: p.hop.method,
    url: p.url,
    headers: p.hop.headers,
    body: p.hop.body,
    secretHeaders: p.options.secretHeaders,
    answer
  })

const elapsedMs = (p: Pending) => Number(p.clock.unsafeCurrentTimeNanos() - p.startNanos) / 1e6

/**
 * How an input will be fetched: done already (an invalid URL), started by callback with what
 * the gate learns from its answer, or an effect.
 */
type Plan =
  | { readonly _tag: "Done"; readonly record: FetchRecord }
  | { readonly _tag: "Start"; readonly pending: Pending; readonly learn: Learn }
  | { readonly _tag: "Effect"; readonly effect: Effect.Effect<FetchRecord> }

const lift = (next: FetchRecord | Effect.Effect<FetchRecord>): Effect.Effect<FetchRecord> =>
  Effect.isEffect(next) ? next : Effect.succeed(next)

const noop = () => {}
/** Runs `_` (already done) and returns a cancel action that does nothing. */
const noCancel = (_: void) => noop

/**
 * The Basic `Authorization` for a request, when its credentials call for one: the URL's own
 * (always, over any other; a user without a password takes it from the logins), else the
 * logins' for the host, unless the request already has an `Authorization` header.
 */
const authorizationFor = (
  url: URL,
  login: Login | undefined,
  headers: Readonly<Record<string, string>>,
  logins: LoginSource | undefined
): Redacted.Redacted<string> | undefined => {
  if (login !== undefined) {
    const password = login.password ?? logins?.lookup(url.hostname, login.user)?.password
    return basicAuthorization(login.user, password === undefined ? "" : Redacted.value(password))
  }
  if (logins === undefined || headerValue(headers, "authorization") !== undefined) return undefined
  const found = logins.lookup(url.hostname, undefined)
  return found === undefined
    ? undefined
    : basicAuthorization(found.user, found.password === undefined ? "" : Redacted.value(found.password))
}

/** The headers with `authorization` set, in place of any of another case. */
const withAuthorization = (
  headers: Readonly<Record<string, string>>,
  authorization: Redacted.Redacted<string>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) if (name.toLowerCase() !== "authorization") out[name] = headers[name]!
  // Revealed here, where the request is built: the hop is what is sent.
  out["authorization"] = Redacted.value(authorization)
  return out
}

/** The headers with volley's User-Agent added, unless they name one. */
const withUserAgent = (headers: Record<string, string>): Record<string, string> =>
  headerValue(headers, "user-agent") === undefined ? { ...headers, "user-agent": userAgent } : headers

const statusTexts: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}
const statusText = (status: number) => statusTexts[status] === undefined ? "" : ` ${statusTexts[status]}`
