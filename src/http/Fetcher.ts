/**
 * The Fetcher sends one request, with its retries, time-out, redirects and size limit, and turns
 * whatever happens into a record. It never fails: a failure is a record with `ok: false`.
 *
 * @module
 */
import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import { Clock, Duration, Effect, Either, Option } from "effect"
import { type FetchError, InvalidUrl, StatusError, TimeoutError, TransportError } from "../domain/FetchError.js"
import { type FetchOptions, revealHeaders } from "../domain/FetchOptions.js"
import type { FailedRecord, FetchRecord, OkRecord } from "../domain/FetchRecord.js"
import type { IndexedRequest, RequestSpec } from "../domain/RequestSpec.js"
import { makeResponseBody, recordBody } from "../domain/ResponseBody.js"
import { traced } from "../observability/FetchTelemetry.js"
import { userAgent } from "../Version.js"
import { readBodyText } from "./BodyReader.js"
import type { Answer } from "./RequestGate.js"
import { isRetryable, parseRetryAfter, retrySchedule } from "./RetryPolicy.js"

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

/** Headers that must not follow a redirect to another origin. */
const credentialHeaders = ["authorization", "cookie", "proxy-authorization"] as const

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

export class Fetcher extends Effect.Service<Fetcher>()("volley/Fetcher", {
  effect: Effect.gen(function*() {
    // Third-party URLs must not receive our trace headers; timeouts and retries are ours. The
    // client's own span per request is skipped: it costs more than the request on loopback.
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true)
    )
    // One schedule per set of options, not one per request.
    const schedules = new WeakMap<FetchOptions, ReturnType<typeof retrySchedule>>()
    const scheduleFor = (options: FetchOptions) => {
      let schedule = schedules.get(options)
      if (schedule === undefined) {
        schedule = retrySchedule(options.retry)
        schedules.set(options, schedule)
      }
      return schedule
    }

    /** One attempt: the request, its redirects and its body, within the time-out. */
    const attempt = (spec: RequestSpec, url: URL, options: FetchOptions): Effect.Effect<Answer, FetchError> => {
      const timeoutMs = Duration.toMillis(options.timeout)
      const send = (
        method: string,
        target: URL,
        headers: Readonly<Record<string, string>>,
        body: string | undefined,
        redirects: number
      ): Effect.Effect<Answer, FetchError> => {
        const href = target.href
        const request = HttpClientRequest.make(method as HttpMethod)(target, {
          headers,
          ...(body === undefined ? {} : { body: HttpBody.text(body, bodyContentType(headers, body)) })
        })
        return client.execute(request).pipe(
          Effect.mapError((error) => new TransportError({ url: href, message: transportMessage(error) })),
          Effect.flatMap((response): Effect.Effect<Answer, FetchError> => {
            const location = response.headers["location"]
            if (response.status >= 300 && response.status < 400 && response.status !== 304 && location) {
              let next: URL
              try {
                next = new URL(location, target)
              } catch {
                return Effect.fail(
                  new StatusError({
                    url: href,
                    status: response.status,
                    message: `redirect to an invalid URL '${location}'`
                  })
                )
              }
              if (next.protocol !== "http:" && next.protocol !== "https:") {
                return Effect.fail(
                  new StatusError({
                    url: href,
                    status: response.status,
                    message: `refused redirect to non-http(s) URL '${next.href}'`
                  })
                )
              }
              if (redirects >= options.maxRedirects) {
                return Effect.fail(
                  new StatusError({
                    url: href,
                    status: response.status,
                    message: `too many redirects (more than --max-redirects ${options.maxRedirects})`
                  })
                )
              }
              // 303, and 301/302 after a POST, become a GET without a body (as browsers do).
              const toGet = response.status === 303 ||
                ((response.status === 301 || response.status === 302) && method === "POST")
              const sameOrigin = next.origin === target.origin
              const nextHeaders = sameOrigin ? headers : withoutCredentials(headers)
              // Read the (small) redirect body so its connection goes back to the pool.
              return Effect.zipRight(
                Effect.ignore(readBodyText(response, href, 64 * 1024)),
                send(toGet ? "GET" : method, next, nextHeaders, toGet ? undefined : body, redirects + 1)
              )
            }
            return readBodyText(response, href, options.maxBodyBytes).pipe(
              Effect.map((text): Answer => ({ status: response.status, headers: response.headers, text, url: href }))
            )
          })
        )
      }
      return send(
        spec.method ?? options.method,
        url,
        withUserAgent(
          spec.headers === undefined
            ? revealHeaders(options.headers)
            : { ...revealHeaders(options.headers), ...spec.headers }
        ),
        spec.body ?? options.body,
        0
      ).pipe(
        Effect.timeoutFail({
          duration: options.timeout,
          onTimeout: () =>
            new TimeoutError({
              url: url.href,
              timeoutMs,
              message: `no complete answer within ${Duration.format(options.timeout)}`
            })
        })
      )
    }

    /** Judges an answer: a non-2xx status is a failure, with the server's `Retry-After`. */
    const judge = (answer: Answer): Effect.Effect<Answer, StatusError> => {
      if (answer.status >= 200 && answer.status < 300) return Effect.succeed(answer)
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const retryAfterMs = Option.getOrUndefined(parseRetryAfter(answer.headers["retry-after"], now))
        return Effect.fail(
          new StatusError({
            url: answer.url,
            status: answer.status,
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
            message: `HTTP ${answer.status}${statusText(answer.status)}`
          })
        )
      })
    }

    /**
     * Fetches one input and returns its record: retries transient failures on the retry
     * schedule, extracts the value, and records time and attempts.
     */
    const fetchOne = (input: IndexedRequest, options: FetchOptions): Effect.Effect<FetchRecord> =>
      traced(input.request.url, fetchRecord(input, options))

    const fetchRecord = (input: IndexedRequest, options: FetchOptions): Effect.Effect<FetchRecord> =>
      Effect.suspend(() => {
        const { index, request } = input
        const parsed = parseHttpUrl(request.url)
        if (Either.isLeft(parsed)) {
          const error = new InvalidUrl({ input: request.url, message: parsed.left })
          return Effect.succeed<FetchRecord>(failedRecord(index, request.url, 0, 0, error, undefined, false))
        }
        const url = parsed.right
        const host = url.host
        let attempts = 0
        let lastAnswer: Answer | undefined
        const once = Effect.suspend(() => {
          attempts++
          lastAnswer = undefined
          return options.gate.around(host, attempt(request, url, options)).pipe(
            Effect.tap((answer) => {
              lastAnswer = answer
            }),
            Effect.flatMap(judge)
          )
        })
        return Effect.flatMap(Clock.currentTimeNanos, (start) => {
          const elapsed = Effect.map(Clock.currentTimeNanos, (now) => Number(now - start) / 1e6)
          return once.pipe(
            // Only a failed first attempt pays for the retry machinery.
            Effect.catchAll((error) => {
              if (!isRetryable(options.retry)(error)) return Effect.fail(error)
              let replayed = false
              const again = Effect.suspend(() => {
                if (replayed) return once
                replayed = true
                return Effect.fail(error)
              })
              return Effect.retry(again, scheduleFor(options))
            }),
            Effect.flatMap((answer) => {
              const extractor = options.extractor
              const body = makeResponseBody(answer.text, answer.headers["content-type"], extractor?.needsJson ?? false)
              const value = extractor === undefined ? Effect.succeed(undefined) : extractor.apply(body, request.url)
              return Effect.flatMap(value, (value) =>
                Effect.map(elapsed, (ms): OkRecord => ({
                  index,
                  url: request.url,
                  ok: true,
                  status: answer.status,
                  attempts,
                  ms: round1(ms),
                  ...(options.keepBody ? { body: recordBody(body) } : {}),
                  ...(extractor === undefined ? {} : { value })
                })))
            }),
            Effect.catchAll((error: FetchError) =>
              Effect.map(
                elapsed,
                (ms) => failedRecord(index, request.url, attempts, ms, error, lastAnswer, options.keepBody)
              )
            )
          )
        })
      })

    return { fetchOne } as const
  })
}) {}

/** The headers with volley's User-Agent added, unless they name one. */
const withUserAgent = (headers: Record<string, string>): Record<string, string> => {
  for (const name in headers) if (name.toLowerCase() === "user-agent") return headers
  return { ...headers, "user-agent": userAgent }
}

/** The body's content type: the one the caller set, else JSON when the body parses as JSON. */
const bodyContentType = (headers: Readonly<Record<string, string>>, body: string): string => {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === "content-type") return value
  }
  try {
    JSON.parse(body)
    return "application/json"
  } catch {
    return "text/plain; charset=utf-8"
  }
}

const withoutCredentials = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!(credentialHeaders as ReadonlyArray<string>).includes(name.toLowerCase())) kept[name] = value
  }
  return kept
}

/** A transport failure in one line, without the request headers. */
const transportMessage = (error: { readonly cause?: unknown; readonly message: string }): string => {
  const cause = error.cause
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code ?? (cause.cause as { code?: unknown } | undefined)?.code
    const inner = cause.cause instanceof Error ? cause.cause.message : cause.message
    return typeof code === "string" ? `${code}: ${inner}` : inner
  }
  return error.message
}

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
