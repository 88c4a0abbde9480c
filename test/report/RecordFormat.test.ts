import { describe, expect, it } from "@effect/vitest"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import { recordFormat } from "../../src/report/RecordFormat.js"

const ok: FetchRecord = {
  index: 0,
  url: "http://a/1",
  ok: true,
  status: 200,
  attempts: 1,
  ms: 12.3,
  body: { a: 1 },
  value: "x, \"y\""
}
const failed: FetchRecord = {
  index: 1,
  url: "http://a/2",
  ok: false,
  status: 503,
  attempts: 4,
  ms: 80,
  error: { _tag: "StatusError", message: "HTTP 503 Service Unavailable" }
}

const render = (format: "ndjson" | "json" | "csv", records: ReadonlyArray<FetchRecord>) => {
  const f = recordFormat(format)
  return f.header + records.map((r, i) => f.record(r, i === 0)).join("") + f.footer(records.length === 0)
}

describe("RecordFormat", () => {
  it("NDJSON: one record per line, fields in order", () => {
    const text = render("ndjson", [ok, failed])
    expect(text.split("\n")).toEqual([JSON.stringify(ok), JSON.stringify(failed), ""])
    expect(text.startsWith("{\"index\":0,\"url\":\"http://a/1\",\"ok\":true,\"status\":200,\"attempts\":1,\"ms\":12.3"))
      .toBe(true)
  })
  it("JSON: one parseable array, also when empty", () => {
    expect(JSON.parse(render("json", [ok, failed]))).toEqual([ok, failed])
    expect(JSON.parse(render("json", []))).toEqual([])
  })
  it("CSV: a header and quoted cells", () => {
    const lines = render("csv", [ok, failed]).trim().split("\n")
    expect(lines[0]).toBe("index,url,ok,status,attempts,ms,value,error,bodyEncoding")
    expect(lines[1]).toBe("0,http://a/1,true,200,1,12.3,\"x, \"\"y\"\"\",,")
    expect(lines[2]).toBe("1,http://a/2,false,503,4,80,,StatusError: HTTP 503 Service Unavailable,")
  })
  it("CSV: a body that is not text says base64 in its bodyEncoding column", () => {
    const binary: FetchRecord = {
      index: 2,
      url: "http://a/3",
      ok: true,
      status: 200,
      attempts: 1,
      ms: 1,
      body: "iVBO",
      bodyEncoding: "base64"
    }
    expect(render("csv", [binary]).trim().split("\n")[1]).toBe("2,http://a/3,true,200,1,1,,,base64")
  })
})
