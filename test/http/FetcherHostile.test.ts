import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { encodeRecord } from "../../src/domain/RecordJson.js"
import type { Extractor } from "../../src/extract/Extractor.js"
import { jmespathExtractor } from "../../src/extract/JmesPath.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import type { FetchOptions } from "../../src/http/FetchOptions.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import * as TestHttpClient from "../../src/testing/TestHttpClient.js"

const fast = (overrides: Partial<FetchOptions> = {}) =>
  makeFetchOptions({ retry: { retries: 3, backoff: "10 millis", maxBackoff: "100 millis" }, ...overrides })

const json = (text: string) => ({ text, headers: { "content-type": "application/json" } })

const fetchWith = (handler: TestHttpClient.TestTable, url: string, options: FetchOptions = fast()) =>
  Effect.gen(function*() {
    const fetcher = yield* Fetcher
    const fiber = yield* Effect.fork(fetcher.fetchOne({ index: 0, request: { url } }, options))
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(TestHttpClient.layer(handler)))))

const deep = "[".repeat(200_000) + "]".repeat(200_000)

describe("Fetcher and hostile bodies", () => {
  it.effect("a body nested 200,000 deep fails its record with DecodeError, once, and the record is writable", () =>
    Effect.gen(function*() {
      const record = yield* fetchWith({ "http://h.test/deep": json(deep) }, "http://h.test/deep")
      expect(record).toMatchObject({
        ok: false,
        status: 200,
        attempts: 1,
        error: { _tag: "DecodeError", message: "JSON nested deeper than 512 levels (--max-json-depth)" }
      })
      const line = JSON.parse(encodeRecord(record))
      expect(line.body).toBe(deep)
    }))

  it.effect("the depth limit is an option", () =>
    Effect.gen(function*() {
      const body = json("[[[[1]]]]")
      const refused = yield* fetchWith({ "http://h.test/4": body }, "http://h.test/4", fast({ maxJsonDepth: 3 }))
      expect(refused).toMatchObject({
        ok: false,
        error: { message: "JSON nested deeper than 3 levels (--max-json-depth)" }
      })
      const kept = yield* fetchWith({ "http://h.test/4": body }, "http://h.test/4", fast({ maxJsonDepth: 4 }))
      expect(kept).toMatchObject({ ok: true, body: [[[[1]]]] })
    }))

  it.effect("a 2^63 id survives the round trip byte for byte, in body and value", () =>
    Effect.gen(function*() {
      const text = `{"id": 9223372036854775808, "name":"caf\\u00e9", "z":1.0, "a":[1e400]}`
      const extractor = yield* jmespathExtractor("{id: id, a: a}")
      const record = yield* fetchWith({ "http://h.test/id": json(text) }, "http://h.test/id", fast({ extractor }))
      const line = encodeRecord(record)
      expect(line).toContain(`"body":${text}`)
      expect(line).toContain(`"value":{"id":9223372036854775808,"a":[1e400]}`)
      expect(String((record as { value: { id: unknown } }).value.id)).toBe("9223372036854775808")
    }))

  it.effect("a failed record's JSON body is kept as sent too", () =>
    Effect.gen(function*() {
      const text = `{"error":"no","retry_id":123456789012345678901}`
      const record = yield* fetchWith({ "http://h.test/404": { status: 404, ...json(text) } }, "http://h.test/404")
      expect(encodeRecord(record)).toContain(`"body":${text},"error":{"_tag":"StatusError"`)
    }))

  it.effect("an extractor that throws fails its record with ExtractError, not the run", () =>
    Effect.gen(function*() {
      const throwing: Extractor = {
        description: "boom",
        needsJson: false,
        apply: () =>
          Effect.sync(() => {
            throw new RangeError("Maximum call stack size exceeded")
          })
      }
      const record = yield* fetchWith(
        { "http://h.test/x": { text: "<div>" } },
        "http://h.test/x",
        fast({ extractor: throwing })
      )
      expect(record).toMatchObject({
        ok: false,
        attempts: 1,
        error: { _tag: "ExtractError", message: "boom failed on this body: Maximum call stack size exceeded" }
      })
    }))
})
