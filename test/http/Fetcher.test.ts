import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import type { IndexedRequest } from "../../src/domain/RequestSpec.js"
import { defaultRunOptions, runStream } from "../../src/engine/Runner.js"
import { jmespathExtractor } from "../../src/extract/JmesPath.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import type { FetchOptions } from "../../src/http/FetchOptions.js"
import { makeFetchOptions, redactHeaders } from "../../src/http/FetchOptions.js"
import { makeHostGate } from "../../src/http/HostGate.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { startDemoServer } from "../../src/server/DemoServer.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

const fast = (overrides: Partial<FetchOptions> = {}) =>
  makeFetchOptions({ retry: { retries: 3, backoff: "10 millis", maxBackoff: "100 millis" }, ...overrides })

/** Fetches one URL against a fake client; runs the clock forward so retries and delays complete. */
const fetchWith = (
  handler: TestHttpClient.TestHandler | TestHttpClient.TestTable,
  url: string,
  options: FetchOptions = fast()
) =>
  Effect.gen(function*() {
    const fetcher = yield* Fetcher
    const fiber = yield* Effect.fork(fetcher.fetchOne({ index: 7, request: { url } }, options))
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(TestHttpClient.layer(handler)))))

const errorTag = (record: FetchRecord) => record.ok ? undefined : record.error._tag

describe("Fetcher", () => {
  it.effect("EMFILE (no descriptor left in this process) waits and goes again, costing no attempt", () =>
    Effect.gen(function*() {
      const emfile = { transportError: "connect EMFILE 127.0.0.1:80 - Local (undefined:undefined)" }
      const table = { "http://api.test/f": [emfile, emfile, emfile, emfile, emfile, { json: { ok: 1 } }] }
      // No retries at all: only the wait for a descriptor can save this record.
      const record = yield* fetchWith(
        table,
        "http://api.test/f",
        fast({ retry: { retries: 0, backoff: "10 millis", maxBackoff: "100 millis" } })
      )
      expect(record).toMatchObject({ ok: true, status: 200, attempts: 1 })
      // Other transport errors still count and fail.
      const refused = yield* fetchWith(
        { "http://api.test/g": [{ transportError: "ECONNREFUSED" }, { json: 1 }] },
        "http://api.test/g",
        fast({ retry: { retries: 0, backoff: "10 millis", maxBackoff: "100 millis" } })
      )
      expect(errorTag(refused)).toBe("TransportError")
    }))

  it.effect("a JSON answer becomes an ok record with the parsed body", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith({ "http://api.test/a": { json: { id: 1 } } }, "http://api.test/a")
      expect(record).toMatchObject({
        index: 7,
        url: "http://api.test/a",
        ok: true,
        status: 200,
        attempts: 1,
        body: { id: 1 }
      })
      expect(Object.keys(record)).toEqual(["index", "url", "ok", "status", "attempts", "ms", "body"])
    }))

  it.effect("a text answer keeps the text as the body", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith({ "http://api.test/t": { text: "hello" } }, "http://api.test/t")
      expect(record).toMatchObject({ ok: true, body: "hello" })
    }))

  it.effect("an input that is not an http(s) URL is InvalidUrl, and nothing is sent", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith({}, "ftp://files.test/x")
      expect(record).toMatchObject({ ok: false, attempts: 0, error: { _tag: "InvalidUrl" } })
      const blank = yield* fetchWith({}, "not a url")
      expect(errorTag(blank)).toBe("InvalidUrl")
    }))

  it.effect("a 404 is a StatusError at once, with the status and the body", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith({ "http://api.test/x": { status: 404, text: "nope" } }, "http://api.test/x")
      expect(record).toMatchObject({
        ok: false,
        status: 404,
        attempts: 1,
        body: "nope",
        error: { _tag: "StatusError" }
      })
    }))

  it.effect("a 503 is retried until it succeeds", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith(
        { "http://api.test/f": [{ status: 503 }, { status: 503 }, { json: { fine: true } }] },
        "http://api.test/f"
      )
      expect(record).toMatchObject({ ok: true, attempts: 3, body: { fine: true } })
    }))

  it.effect("retries stop after --retries and the record says StatusError 503", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith({ "http://api.test/f": { status: 503 } }, "http://api.test/f")
      expect(record).toMatchObject({ ok: false, status: 503, attempts: 4, error: { _tag: "StatusError" } })
    }))

  it.effect("a transport failure is a TransportError, retried", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith(
        { "http://api.test/r": [{ transportError: "ECONNRESET" }, { json: 1 }] },
        "http://api.test/r"
      )
      expect(record).toMatchObject({ ok: true, attempts: 2 })
      const dead = yield* fetchWith({ "http://api.test/r": { transportError: "ECONNREFUSED" } }, "http://api.test/r")
      expect(dead).toMatchObject({ ok: false, attempts: 4, error: { _tag: "TransportError" } })
      expect(dead.ok ? "" : dead.error.message).toContain("ECONNREFUSED")
    }))

  it.effect("an answer slower than the timeout is a TimeoutError (retried, then reported)", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith(
        { "http://api.test/slow": { json: 1, delay: "5 seconds" } },
        "http://api.test/slow",
        fast({ timeout: Duration.seconds(1) })
      )
      expect(record).toMatchObject({ ok: false, attempts: 4, error: { _tag: "TimeoutError" } })
      expect(record.ok ? "" : record.error.message).toContain("1s")
    }))

  it.effect("Retry-After on a 429 is waited for before the next attempt", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith(
        { "http://api.test/l": [{ status: 429, headers: { "retry-after": "2" }, text: "slow down" }, { json: "ok" }] },
        "http://api.test/l",
        fast({ retry: { retries: 3, backoff: "10 millis", maxBackoff: "30 seconds" } })
      )
      expect(record).toMatchObject({ ok: true, attempts: 2 })
      // The wait (2 s on the test clock) is part of the record's time.
      expect(record.ms).toBeGreaterThanOrEqual(2000)
    }))

  it.effect("a Retry-After longer than --max-backoff ends the retries with the 429", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith(
        { "http://api.test/l": { status: 429, headers: { "retry-after": "3600" }, text: "come back in an hour" } },
        "http://api.test/l"
      )
      expect(record).toMatchObject({ ok: false, status: 429, attempts: 1, body: "come back in an hour" })
    }))

  it.effect("--extract puts the JMESPath result in value", () =>
    Effect.gen(function*() {
      const extractor = yield* jmespathExtractor("data[0].fact")
      const record = yield* fetchWith(
        { "http://api.test/c": { json: { data: [{ fact: "cats purr", length: 9 }] } } },
        "http://api.test/c",
        fast({ extractor })
      )
      expect(record).toMatchObject({ ok: true, value: "cats purr" })
    }))

  it.effect("--extract on a plain-text answer is a DecodeError quoting the body", () =>
    Effect.gen(function*() {
      const extractor = yield* jmespathExtractor("data[0]")
      const record = yield* fetchWith(
        { "http://api.test/p": { text: "Too many requests. Slow down!", headers: { "content-type": "text/plain" } } },
        "http://api.test/p",
        fast({ extractor })
      )
      expect(record).toMatchObject({ ok: false, status: 200, error: { _tag: "DecodeError" } })
      expect(record.ok ? "" : record.error.message).toContain("Too many requests")
    }))

  it.effect("an invalid JMESPath query is refused before any request", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(jmespathExtractor("data["))
      expect(error._tag).toBe("InvalidExpression")
      expect(error.message).toMatch(/^invalid JMESPath query 'data\['/)
    }))

  it.effect("redirects are followed, up to --max-redirects", () =>
    Effect.gen(function*() {
      const table = {
        "http://api.test/r1": { status: 302, headers: { location: "/r2" } },
        "http://api.test/r2": { status: 301, headers: { location: "http://api.test/end" } },
        "http://api.test/end": { json: { landed: true } }
      }
      const followed = yield* fetchWith(table, "http://api.test/r1")
      expect(followed).toMatchObject({ ok: true, body: { landed: true } })
      const limited = yield* fetchWith(table, "http://api.test/r1", fast({ maxRedirects: 1 }))
      expect(limited).toMatchObject({ ok: false, error: { _tag: "StatusError" } })
      expect(limited.ok ? "" : limited.error.message).toContain("too many redirects")
    }))

  it.effect("a redirect to a non-http(s) scheme is refused", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith(
        { "http://api.test/r": { status: 302, headers: { location: "file:///etc/passwd" } } },
        "http://api.test/r"
      )
      expect(record).toMatchObject({ ok: false, status: 302, attempts: 1 })
      expect(record.ok ? "" : record.error.message).toContain("non-http(s)")
    }))

  it.effect("a body over --max-body is BodyTooLarge", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith(
        { "http://api.test/big": { text: "x".repeat(5000) } },
        "http://api.test/big",
        fast({ maxBodyBytes: 1024 })
      )
      expect(record).toMatchObject({ ok: false, error: { _tag: "BodyTooLarge" } })
      expect(record.ok ? "" : record.error.message).toContain("1KiB")
    }))

  it.effect("headers and a JSON body are sent; secret header values never reach the record", () =>
    Effect.gen(function*() {
      const fake = TestHttpClient.makeWithTraffic({ "http://api.test/echo": { json: { ok: true } } })
      const record = yield* Effect.flatMap(Fetcher, (f) =>
        f.fetchOne(
          { index: 0, request: { url: "http://api.test/echo" } },
          fast({
            method: "POST",
            body: "{\"a\":1}",
            headers: redactHeaders({ Authorization: "Bearer s3cret", "X-Trace": "t" })
          })
        )).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(fake.layer))))
      const sent = fake.traffic().requests[0]!
      expect(sent.method).toBe("POST")
      expect(sent.headers["authorization"]).toBe("Bearer s3cret")
      expect(sent.headers["x-trace"]).toBe("t")
      expect(sent.headers["content-type"]).toBe("application/json")
      expect(JSON.stringify(record)).not.toContain("s3cret")
      // volley names itself unless told otherwise.
      expect(sent.headers["user-agent"]).toBe("volley/0.1.0")
    }))
})

/** A record without what differs from run to run: the time, and the server's port. */
const comparable = (record: FetchRecord, base: string) => {
  const { ms: _ms, ...rest } = record
  return JSON.parse(JSON.stringify(rest).split(base).join("<base>"))
}

/** The record of one input through the Fetcher's starter (the callback lane), as an effect. */
const viaStarter = (input: IndexedRequest, options: FetchOptions) =>
  Effect.gen(function*() {
    const starter = yield* (yield* Fetcher).starter(options)
    expect(starter).toBeDefined()
    return yield* Effect.async<FetchRecord>((resume) => {
      const cancel = starter!(input, (record) => resume(Effect.succeed(record)), resume)
      return Effect.sync(cancel)
    })
  })

layer(Fetcher.Default.pipe(Layer.provide(undiciLayer())), { excludeTestServices: true })(
  "Fetcher lanes: fetchOne and the starter give the same records",
  (it) => {
    const retry = { retries: 2, backoff: "10 millis", maxBackoff: "50 millis" } as const

    it.scoped("on answers, failures, retries, redirects, extraction and bad input", () =>
      Effect.gen(function*() {
        const fetcher = yield* Fetcher
        const id = yield* jmespathExtractor("id")
        const cases: ReadonlyArray<readonly [string, Partial<FetchOptions>]> = [
          ["/json/3", {}],
          ["/text", {}],
          ["/status/404", {}],
          ["/flaky/k?fail=2", {}],
          ["/redirect/2", {}],
          ["/json/5", { extractor: id }],
          ["/text", { extractor: id }],
          ["not a url", {}]
        ]
        // Each lane gets its own server: the flaky endpoint counts requests per key.
        const run = (lane: "fetchOne" | "starter") =>
          Effect.gen(function*() {
            const { url: base } = yield* startDemoServer()
            return yield* Effect.forEach(cases, ([path, more], index) => {
              const input = { index, request: { url: path.startsWith("/") ? base + path : path } }
              const options = makeFetchOptions({ retry, ...more })
              return Effect.map(
                lane === "fetchOne" ? fetcher.fetchOne(input, options) : viaStarter(input, options),
                (record) => comparable(record, base)
              )
            })
          })
        const one = yield* run("fetchOne")
        expect(yield* run("starter")).toEqual(one)
        expect(one.map((r: FetchRecord) => [r.ok, r.status, r.attempts])).toEqual([
          [true, 200, 1],
          [true, 200, 1],
          [false, 404, 1],
          [true, 200, 3],
          [true, 200, 1],
          [true, 200, 1],
          [false, 200, 1],
          [false, undefined, 0]
        ])
      }))

    it.scoped("the starter's gate learns from the answer: a 429 with Retry-After pauses the host", () =>
      Effect.gen(function*() {
        const { url: base } = yield* startDemoServer()
        const gate = makeHostGate({ perHost: undefined })
        const options = makeFetchOptions({ retry, gate })
        const host = new URL(base).host
        const now = yield* Clock.currentTimeMillis
        expect(gate.immediate!(host, now)).toBeDefined()
        // Retry-After (5 s) is longer than --max-backoff: no retry, but the host is paused.
        const record = yield* viaStarter({ index: 0, request: { url: `${base}/status/429?retry-after=5` } }, options)
        expect(record).toMatchObject({ ok: false, status: 429, attempts: 1 })
        expect(gate.immediate!(host, yield* Clock.currentTimeMillis)).toBeUndefined()
      }))

    it.scoped("a fail-fast run on the callback lane stops at the first failed record", () =>
      Effect.gen(function*() {
        const { url: base } = yield* startDemoServer()
        const paths = ["/json/1", "/json/2", "/status/404", "/json/3", "/json/4"]
        const records = yield* Stream.runCollect(
          runStream(
            Stream.fromIterable(paths.map((path, index) => ({ index, request: { url: base + path } }))),
            { ...defaultRunOptions, concurrency: 1, failFast: true, fetch: makeFetchOptions({ retry }) }
          )
        )
        expect(Chunk.toArray(records).map((r) => [r.index, r.ok])).toEqual([[0, true], [1, true], [2, false]])
      }))
  }
)

describe("Fetcher lanes", () => {
  it.effect("a client without a callback transport (the test kit's) has no starter", () =>
    Effect.gen(function*() {
      const starter = yield* (yield* Fetcher).starter(makeFetchOptions())
      expect(starter).toBeUndefined()
    }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(TestHttpClient.layer({}))))))
})
