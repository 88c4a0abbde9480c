import { describe, expect, it } from "@effect/vitest"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import { encodeRecord, keepJsonText } from "../../src/domain/RecordJson.js"

const base = { index: 3, url: "http://a/\"q\"", attempts: 2, ms: 1.5 } as const

describe("RecordJson", () => {
  it("without a kept text, a record is JSON.stringify of itself", () => {
    const record: FetchRecord = { ...base, ok: true, status: 200, body: { a: 1 }, value: "v" }
    expect(encodeRecord(record)).toBe(JSON.stringify(record))
  })

  it("the body's text is spliced in as sent, in the same field order", () => {
    const ok = keepJsonText(
      { ...base, ok: true, status: 200, body: { a: 1.1 }, value: [1] } satisfies FetchRecord,
      `{"a":1.10,"b":"\\u00e9"}`,
      false
    )
    expect(encodeRecord(ok)).toBe(
      `{"index":3,"url":"http://a/\\"q\\"","ok":true,"status":200,"attempts":2,"ms":1.5,"body":{"a":1.10,"b":"\\u00e9"},"value":[1]}`
    )
    const failed = keepJsonText(
      {
        ...base,
        ok: false,
        status: 404,
        body: {},
        error: { _tag: "StatusError", message: "HTTP 404" }
      } satisfies FetchRecord,
      `{ }`,
      false
    )
    expect(JSON.parse(encodeRecord(failed))).toEqual({ ...failed, body: {} })
    expect(encodeRecord(failed)).toContain(`"body":{ },"error":`)
  })

  it("a value JSON.stringify cannot write is written exactly, or the line says it could not be", () => {
    const big: FetchRecord = { ...base, ok: true, status: 200, value: 2n ** 64n }
    expect(JSON.parse(encodeRecord(big)).value).toBe(18446744073709552000)
    expect(encodeRecord(big)).toContain(`"value":18446744073709551616`)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const line = JSON.parse(encodeRecord({ ...base, ok: true, status: 200, value: cycle }))
    expect(line).toMatchObject({ index: 3, ok: false, error: { _tag: "DecodeError" } })
  })
})
