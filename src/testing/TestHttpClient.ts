/**
 * A test kit: an `HttpClient` that answers from a table or a handler instead of the network, so
 * tests of code built on volley swap the client in one line:
 *
 * ```ts
 * Effect.provide(program, TestHttpClient.layer({ "http://api.test/a": { json: { id: 1 } } }))
 * ```
 *
 * Delays use `Effect.sleep`, so they follow `TestClock` in `it.effect` tests.
 *
 * @module
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { httpClientTransport } from "../http/HttpClientTransport.js"
import { Transport } from "../http/Transport.js"

/** One canned answer. */
export interface TestResponse {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** A text body. */
  readonly text?: string
  /** A JSON body (sets `content-type: application/json`). */
  readonly json?: unknown
  /** Wait this long before answering (follows the TestClock). */
  readonly delay?: Duration.DurationInput
  /** Fail as a transport error (connection refused, reset…) with this message instead of answering. */
  readonly transportError?: string
}

/** What a handler is told about each request. */
export interface TestRequest {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly url: URL
  /** 1 for the first request to this URL, 2 for the second, … */
  readonly attempt: number
}

export type TestHandler = (request: TestRequest) => TestResponse | Effect.Effect<TestResponse>

/** A table from URL to answer, or to a list of answers given in turn (the last one repeats). */
export type TestTable = Readonly<Record<string, TestResponse | ReadonlyArray<TestResponse>>>

/** What the fake client saw: every request, and the most that were in flight at once. */
export interface TestTraffic {
  readonly requests: ReadonlyArray<
    { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  >
  readonly inFlight: number
  readonly maxInFlight: number
}

const notFound: TestResponse = { status: 404, text: "no test response for this URL" }

/** A handler answering from a table; unknown URLs get a 404. */
export const fromTable = (table: TestTable): TestHandler => ({ attempt, url }) => {
  const entry = table[url.href] ?? table[url.href.replace(/\/$/, "")]
  if (entry === undefined) return notFound
  if (!Array.isArray(entry)) return entry as TestResponse
  const list = entry as ReadonlyArray<TestResponse>
  return list[Math.min(attempt, list.length) - 1] ?? notFound
}

const toWebResponse = (answer: TestResponse): Response => {
  const headers = new Headers(answer.headers)
  let body: string | null = answer.text ?? null
  if (answer.json !== undefined) {
    body = JSON.stringify(answer.json)
    if (!headers.has("content-type")) headers.set("content-type", "application/json")
  }
  return new Response(body, { status: answer.status ?? 200, headers })
}

/** A fake client and a view of its traffic. */
export const makeWithTraffic = (handler: TestHandler | TestTable) => {
  const handle = typeof handler === "function" ? handler : fromTable(handler)
  const attempts = new Map<string, number>()
  const requests: Array<TestTraffic["requests"][number]> = []
  let inFlight = 0
  let maxInFlight = 0
  const client = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      inFlight++
      if (inFlight > maxInFlight) maxInFlight = inFlight
      return answerFor(request, url).pipe(Effect.ensuring(Effect.sync(() => inFlight--)))
    })
  )
  const answerFor = (request: HttpClientRequest.HttpClientRequest, url: URL) =>
    Effect.gen(function*() {
      const attempt = (attempts.get(url.href) ?? 0) + 1
      attempts.set(url.href, attempt)
      requests.push({ method: request.method, url: url.href, headers: request.headers })
      const result = handle({ request, url, attempt })
      const answer = Effect.isEffect(result) ? yield* result : result
      if (answer.delay !== undefined) yield* Effect.sleep(answer.delay)
      if (answer.transportError !== undefined) {
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new Error(answer.transportError)
        })
      }
      return HttpClientResponse.fromWeb(request, toWebResponse(answer))
    })
  const traffic = (): TestTraffic => ({ requests: [...requests], inFlight, maxInFlight })
  return { client, traffic, layer: clientLayer(client) }
}

/** A fake `HttpClient` answering from a handler or a table. */
export const make = (handler: TestHandler | TestTable): HttpClient.HttpClient => makeWithTraffic(handler).client

/**
 * The fake client as the `HttpClient` and as the `Transport` volley sends through, in place of
 * the real ones.
 */
export const layer = (handler: TestHandler | TestTable): Layer.Layer<HttpClient.HttpClient | Transport> =>
  clientLayer(make(handler))

const clientLayer = (client: HttpClient.HttpClient): Layer.Layer<HttpClient.HttpClient | Transport> =>
  Layer.succeedContext(
    Context.make(HttpClient.HttpClient, client).pipe(Context.add(Transport, httpClientTransport(client)))
  )
