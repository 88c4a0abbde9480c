/**
 * The Fetcher sends one request, with its retries, time-out, redirects and size limit, and turns
 * whatever happens into a record. It never fails: a failure is a record with `ok: false`.
 *
 * @module
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import { type FetchError, InvalidUrl, StatusError } from "../domain/FetchError.js"
import { type FetchOptions, revealHeaders } from "../domain/FetchOptions.js"
import type { FailedRecord, FetchRecord, OkRecord } from "../domain/FetchRecord.js"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { makeResponseBody, recordBody, type ResponseBody } from "../domain/ResponseBody.js"
import { currentInFlight, type InFlight } from "../engine/InFlight.js"
import { countRecord, tracedWith } from "../observability/FetchTelemetry.js"
import { userAgent } from "../Version.js"
import type { Hop } from "./Redirect.js"
import type { Answer } from "./RequestGate.js"
import { isRetryable, parseRetryAfter, retrySchedule } from "./RetryPolicy.js"
import { headerValue, type SendLimits, type Transport, transportFor } from "./Transport.js"

/** Parses an input into an absolute http(s) URL, or says why it is not one. */
export const parseHttpUrl = (input: string): Either.Either<URL, string> => {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return Either.left(input.trim() === "" ? "empty URL" : `not a URL: ${JSON.stringify(input)}`)
  }
  return url.protocol === "http:" || url.protocol === "https:"
    ? Either.right(url)
    : Either.left(`not an http(s) URL: ${JSON.stringify(input)}`)
}

const round1 = (ms: number) => Math.round(ms * 10) / 10

/** The failed record for `error`; `answer` is the last answer when one came. */
const failedRecord = (
  index: number,
  url: string,
  attempts: number,
  ms: number,
  error: FetchError,
  answer: Answer | undefined,
  keepBody: boolean
): FailedRecord => {
  const status = answer?.status ?? (error._tag === "StatusError" ? error.status : undefined)
  return {
    index,
    url,
    ok: false,
    ...(status === undefined ? {} : { status }),
    attempts,
    ms: round1(ms),
    ...(answer !== undefined && keepBody
      ? { body: recordBody(makeResponseBody(answer.text, answer.headers["content-type"], false)) }
      : {}),
    error: { _tag: error._tag, message: error.message }
  }
}

/** The failure for a non-2xx answer, with the server's `Retry-After` when it sent one. */
const statusFailure = (answer: Answer, nowMs: number): StatusError => {
  const retryAfterMs = Option.getOrUndefined(parseRetryAfter(answer.headers["retry-after"], nowMs))
  return new StatusError({
    url: answer.url,
    status: answer.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    message: `HTTP ${answer.status}${statusText(answer.status)}`
  })
}

/** What stays the same for every request of a set of options: worked out once. */
interface Prepared {
  readonly limits: SendLimits
  readonly headers: Readonly<Record<string, string>>
  readonly schedule: Schedule.Schedule<unknown, FetchError>
  readonly retryable: (error: FetchError) => boolean
}

const prepare = (options: FetchOptions): Prepared => ({
  limits: { timeout: options.timeout, maxBodyBytes: options.maxBodyBytes, maxRedirects: options.maxRedirects },
  headers: withUserAgent(revealHeaders(options.headers)),
  schedule: retrySchedule(options.retry),
  retryable: isRetryable(options.retry)
})

export class Fetcher extends Effect.Service<Fetcher>()("volley/Fetcher", {
  effect: Effect.map(HttpClient.HttpClient, (client) => makeFetcher(transportFor(client)))
}) {}

/** The Fetcher's `fetchOne` over a transport. */
const makeFetcher = (transport: Transport) => {
  const prepared = new WeakMap<FetchOptions, Prepared>()
  const prepareOnce = (options: FetchOptions) => {
    let ready = prepared.get(options)
    if (ready === undefined) {
      ready = prepare(options)
      prepared.set(options, ready)
    }
    return ready
  }

  /**
   * Fetches one input and returns its record: retries transient failures on the retry schedule,
   * extracts the value, and records time and attempts. The path of a first attempt that succeeds
   * is kept short — it is what runs a million times.
   */
  const fetchRecord = (
    input: IndexedRequest,
    options: FetchOptions,
    clock: Clock.Clock,
    inFlight: InFlight | undefined
  ): Effect.Effect<FetchRecord> => {
    const { index, request } = input
    const parsed = parseHttpUrl(request.url)
    if (Either.isLeft(parsed)) {
      const error = new InvalidUrl({ input: request.url, message: parsed.left })
      return Effect.succeed<FetchRecord>(countRecord(failedRecord(index, request.url, 0, 0, error, undefined, false)))
    }
    const start = clock.unsafeCurrentTimeNanos()
    const elapsed = () => Number(clock.unsafeCurrentTimeNanos() - start) / 1e6
    const ready = prepareOnce(options)
    const url = parsed.right
    const hop: Hop = {
      method: request.method ?? options.method,
      url,
      headers: request.headers === undefined
        ? ready.headers
        : withUserAgent({ ...revealHeaders(options.headers), ...request.headers }),
      body: request.body ?? options.body,
      redirects: 0
    }
    const send = options.gate.around(url.host, transport.send(hop, ready.limits, inFlight))
    const extractor = options.extractor
    let attempts = 1
    let lastAnswer: Answer | undefined

    const okRecord = (answer: Answer, body: ResponseBody, value: unknown): FetchRecord => {
      // Built field by field, not with spreads: this runs for every record.
      const record: { -readonly [K in keyof OkRecord]: OkRecord[K] } = {
        index,
        url: request.url,
        ok: true,
        status: answer.status,
        attempts,
        ms: round1(elapsed())
      }
      if (options.keepBody) record.body = recordBody(body)
      if (extractor !== undefined) record.value = value
      return countRecord(record)
    }
    const judge = (answer: Answer): Effect.Effect<FetchRecord, FetchError> => {
      lastAnswer = answer
      if (answer.status < 200 || answer.status >= 300) {
        return Effect.fail(statusFailure(answer, clock.unsafeCurrentTimeMillis()))
      }
      const body = makeResponseBody(answer.text, answer.headers["content-type"], extractor?.needsJson ?? false)
      return extractor === undefined
        ? Effect.succeed(okRecord(answer, body, undefined))
        : Effect.map(extractor.apply(body, request.url), (value) => okRecord(answer, body, value))
    }
    const failed = (error: FetchError) =>
      Effect.succeed(
        countRecord(failedRecord(index, request.url, attempts, elapsed(), error, lastAnswer, options.keepBody))
      )

    return Effect.catchAll(Effect.flatMap(send, judge), (error) => {
      // Only a failed first attempt pays for the retry machinery.
      if (!ready.retryable(error)) return failed(error)
      let replayed = false
      const again = Effect.suspend(() => {
        if (!replayed) {
          replayed = true
          return Effect.fail(error)
        }
        attempts++
        lastAnswer = undefined
        return Effect.flatMap(send, judge)
      })
      return Effect.catchAll(Effect.retry(again, ready.schedule), failed)
    })
  }

  return {
    fetchOne: (input: IndexedRequest, options: FetchOptions): Effect.Effect<FetchRecord> =>
      // One step reads both the clock and the tracer of the fiber.
      Effect.withFiberRuntime((fiber) =>
        tracedWith(
          fiber.currentTracer,
          input.request.url,
          fetchRecord(
            input,
            options,
            Context.get(fiber.currentDefaultServices, Clock.Clock),
            fiber.getFiberRef(currentInFlight)
          )
        )
      )
  } as const
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
