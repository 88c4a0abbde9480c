/**
 * Property tests against the hostile loopback server: any mix of hostile answers and made-up
 * ones (status, pacing headers, bodies: JSON with big numbers, deep nesting, text, bytes) gives
 * one well-formed record per input, in order, and never a defect.
 */
import { expect, layer } from "@effect/vitest"
import { Chunk, Context, Duration, Effect, Layer, Schema, Stream } from "effect"
import fc from "fast-check"
import { fetchErrorTags } from "../../src/domain/FetchError.js"
import { FetchRecord } from "../../src/domain/FetchRecord.js"
import { encodeRecord } from "../../src/domain/RecordJson.js"
import { defaultRunOptions, runStream } from "../../src/engine/Runner.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import { makeHostGate } from "../../src/http/HostGate.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { type FuzzAnswer, fuzzPath, hostileCases, startHostileServer } from "../support/HostileServer.js"

class Hostile extends Context.Tag("test/Hostile")<Hostile, { readonly url: string }>() {}

const HostileLive = Layer.scoped(Hostile, Effect.map(startHostileServer, (url) => ({ url })))

const headerText = fc.stringMatching(/^[\x20-\x7e]{0,16}$/)
const resetLike = fc.oneof(headerText, fc.nat().map(String), fc.constantFrom("0", "-1", "99999999", "1e3", "1.5"))

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.tuple(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.string({ maxLength: 8 })).map(([n, s]) =>
    `{"id":${n},"s":${JSON.stringify(s)},"f":1.000000000000000001}`
  ),
  fc.integer({ min: 0, max: 3000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth)),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
)

const fuzzAnswer: fc.Arbitrary<FuzzAnswer> = fc.record({
  status: fc.constantFrom(200, 201, 203, 400, 404, 410, 429, 500, 503),
  headers: fc.record({
    "content-type": fc.constantFrom(
      "application/json",
      "text/plain",
      "application/problem+json; charset=utf-8",
      "text/html"
    ),
    "retry-after": fc.oneof(headerText, fc.constantFrom("0", "1", "86400", "-5")),
    "ratelimit-remaining": fc.oneof(headerText, fc.constantFrom("0", "1", "-3")),
    "ratelimit-reset": resetLike,
    "ratelimit-limit": fc.oneof(headerText, fc.nat({ max: 50 }).map(String)),
    "x-ratelimit-remaining": fc.constantFrom("0", "5"),
    "x-ratelimit-reset": resetLike
  }, { requiredKeys: ["content-type"] }),
  body: body.map((text) => Buffer.from(text).toString("base64"))
})

const hostilePaths = hostileCases.filter((c) => c.ownHost === undefined)
const input = fc.oneof(
  fc.constantFrom(...hostilePaths.map((c) => ({ path: c.path, expect: c.expect as string }))),
  fuzzAnswer.map((answer) => ({ path: fuzzPath(answer), expect: undefined }))
)

const decodeRecord = Schema.decodeUnknownSync(FetchRecord)

layer(Layer.mergeAll(HostileLive, Fetcher.Default.pipe(Layer.provide(undiciLayer()))), {
  excludeTestServices: true
})("hostile answers, made up (loopback)", (it) => {
  it.effect.prop("one well-formed record per input, in order, whatever the answers", [
    fc.array(input, { minLength: 1, maxLength: 8 })
  ], ([inputs]) =>
    Effect.gen(function*() {
      const { url } = yield* Hostile
      const fetch = makeFetchOptions({
        timeout: Duration.seconds(5),
        retry: { retries: 1, backoff: "1 millis", maxBackoff: "50 millis" },
        gate: makeHostGate({ perHost: undefined, maxPause: "50 millis" })
      })
      const records = Chunk.toArray(
        yield* Stream.runCollect(
          runStream(
            Stream.fromIterable(inputs.map((item, index) => ({ index, request: { url: url + item.path } }))),
            { ...defaultRunOptions, concurrency: 4, fetch }
          )
        )
      )
      expect(records.map((r) => r.index)).toEqual(inputs.map((_, i) => i))
      for (const [i, record] of records.entries()) {
        decodeRecord(record)
        const line = encodeRecord(record)
        expect(line).not.toMatch(/[\n\r]/)
        expect(JSON.parse(line)).toMatchObject({ index: i, ok: record.ok })
        if (!record.ok) expect(fetchErrorTags).toContain(record.error._tag)
        const expected = inputs[i]!.expect
        // A made-up answer may have paused the host past --max-backoff: RateLimited, then.
        if (expected !== undefined) expect([expected, "RateLimited"]).toContain(record.ok ? "ok" : record.error._tag)
      }
    }), { fastCheck: { numRuns: 40 }, timeout: 120_000 })
})
