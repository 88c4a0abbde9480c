/**
 * The Fetcher with checks: `expect.status` replaces the 2xx rule (a 304 can be a success, a 200
 * a failure), assertions fail a record with an AssertionError, and neither is retried.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { makeExpectation } from "../../src/check/Expectation.js"
import { jmespathExtractor } from "../../src/extract/JmesPath.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import type { FetchOptions } from "../../src/http/FetchOptions.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

const withChecks = (
  checks: { status?: string; assert?: ReadonlyArray<string> },
  overrides: Partial<FetchOptions> = {}
) =>
  Effect.map(makeExpectation(checks), (expect) =>
    makeFetchOptions({
      retry: { retries: 3, backoff: "10 millis", maxBackoff: "100 millis" },
      expect,
      ...overrides
    }))

const fetchWith = (
  handler: TestHttpClient.TestHandler | TestHttpClient.TestTable,
  url: string,
  options: FetchOptions
) =>
  Effect.gen(function*() {
    const fetcher = yield* Fetcher
    const fiber = yield* Effect.fork(fetcher.fetchOne({ index: 0, request: { url } }, options))
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(TestHttpClient.layer(handler)))))

describe("Fetcher with checks", () => {
  it.effect("--expect-status 200,404: a 404 is ok, a 201 is a StatusError", () =>
    Effect.gen(function*() {
      const options = yield* withChecks({ status: "200,404" })
      const table = { "http://api.test/gone": { status: 404 }, "http://api.test/made": { status: 201 } }
      expect(yield* fetchWith(table, "http://api.test/gone", options)).toMatchObject({ ok: true, status: 404 })
      expect(yield* fetchWith(table, "http://api.test/made", options)).toMatchObject({
        ok: false,
        status: 201,
        attempts: 1,
        error: { _tag: "StatusError", message: "HTTP 201 (expected 200,404)" }
      })
    }))

  it.effect("an expected 503 is taken as it is, not retried", () =>
    Effect.gen(function*() {
      const options = yield* withChecks({ status: "5xx" })
      const record = yield* fetchWith(
        { "http://api.test/down": { status: 503, json: { down: true } } },
        "http://api.test/down",
        options
      )
      expect(record).toMatchObject({ ok: true, status: 503, attempts: 1, body: { down: true } })
    }))

  it.effect("a failed assertion is an AssertionError record naming the expression and the value seen", () =>
    Effect.gen(function*() {
      const options = yield* withChecks({ assert: ["status == `200`", "body.status == 'up'"] })
      const record = yield* fetchWith(
        { "http://api.test/health": { json: { status: "degraded" } } },
        "http://api.test/health",
        options
      )
      expect(record).toEqual({
        index: 0,
        url: "http://api.test/health",
        ok: false,
        status: 200,
        attempts: 1,
        ms: expect.any(Number),
        body: { status: "degraded" },
        error: {
          _tag: "AssertionError",
          message: "assertion failed: body.status == 'up' (body.status is \"degraded\")"
        }
      })
    }))

  it.effect("assertions pass: the record is the usual ok record", () =>
    Effect.gen(function*() {
      const options = yield* withChecks({ assert: ["body.status == 'up'", "headers.\"x-shard\" == 'b'"] })
      const record = yield* fetchWith(
        { "http://api.test/health": { json: { status: "up" }, headers: { "x-shard": "b" } } },
        "http://api.test/health",
        options
      )
      expect(record).toMatchObject({ ok: true, status: 200, body: { status: "up" } })
      expect(Object.keys(record)).toEqual(["index", "url", "ok", "status", "attempts", "ms", "body"])
    }))

  it.effect("assertions see the body under --no-body, and the extracted value", () =>
    Effect.gen(function*() {
      const options = yield* withChecks(
        { assert: ["body.items[0] == value", "value == `3`"] },
        { keepBody: false, extractor: yield* jmespathExtractor("items[0]") }
      )
      const passed = yield* fetchWith({ "http://api.test/x": { json: { items: [3] } } }, "http://api.test/x", options)
      expect(passed).toMatchObject({ ok: true, value: 3 })
      expect("body" in passed).toBe(false)
      const failed = yield* fetchWith({ "http://api.test/x": { json: { items: [4] } } }, "http://api.test/x", options)
      expect(failed).toMatchObject({
        ok: false,
        error: { _tag: "AssertionError", message: "assertion failed: value == `3` (value is 4)" }
      })
    }))

  it.effect("a failed assertion is not retried, a transient status before it is", () =>
    Effect.gen(function*() {
      const options = yield* withChecks({ assert: ["body.ok"] })
      const record = yield* fetchWith(
        { "http://api.test/f": [{ status: 503 }, { json: { ok: false } }, { json: { ok: true } }] },
        "http://api.test/f",
        options
      )
      expect(record).toMatchObject({ ok: false, attempts: 2, error: { _tag: "AssertionError" } })
    }))
})
