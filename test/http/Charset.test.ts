import { describe, expect, it } from "@effect/vitest"
import { bodyText, charsetOf, isBinaryMediaType } from "../../src/http/Charset.js"

describe("Charset", () => {
  it("reads the charset parameter, quoted or not, whatever its case", () => {
    expect(charsetOf("text/html; charset=UTF-8")).toBe("UTF-8")
    expect(charsetOf("text/html;Charset=\"iso-8859-1\"; q=1")).toBe("iso-8859-1")
    expect(charsetOf("text/html")).toBeUndefined()
  })

  it("knows binary media types (SVG is text)", () => {
    expect(["image/png", "application/octet-stream", "font/woff2", "video/mp4"].map(isBinaryMediaType)).toEqual([
      true,
      true,
      true,
      true
    ])
    expect(["image/svg+xml", "text/csv", "application/json"].map(isBinaryMediaType)).toEqual([false, false, false])
  })

  it("decodes UTF-8 by default, other charsets by their label, and a BOM wins", () => {
    expect(bodyText(Buffer.from("naïve"), undefined)).toEqual({ text: "naïve", base64: false })
    expect(bodyText(Buffer.from([0x63, 0xe9]), "text/plain; charset=windows-1252")).toEqual({
      text: "cé",
      base64: false
    })
    const utf16be = Buffer.from([0xfe, 0xff, 0x00, 0x68, 0x00, 0xe9])
    expect(bodyText(utf16be, "text/plain; charset=utf-8")).toEqual({ text: "hé", base64: false })
    expect(bodyText(Buffer.from("\ufeffok"), "text/plain")).toEqual({ text: "ok", base64: false })
  })

  it("an unknown label falls back to UTF-8", () => {
    expect(bodyText(Buffer.from("ok"), "text/plain; charset=klingon")).toEqual({ text: "ok", base64: false })
  })

  it("keeps what is not text as base64: by type, or by bytes invalid in the charset", () => {
    expect(bodyText(Buffer.from("abc"), "image/gif")).toEqual({ text: "YWJj", base64: true })
    expect(bodyText(Buffer.from([0xc3, 0x28]), "text/plain")).toEqual({ text: "wyg=", base64: true })
    // 0x80 0x20 is not valid Shift_JIS.
    expect(bodyText(Buffer.from([0x80, 0x20]), "text/plain; charset=shift_jis").base64).toBe(true)
    expect(bodyText(Buffer.alloc(0), "image/png")).toEqual({ text: "", base64: false })
  })
})
