import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { randomBytes } from "node:crypto"
import * as zlib from "node:zlib"
import {
  acceptEncoding,
  decodeAll,
  makeBodyDecoder,
  parseContentEncoding,
  streamAbove
} from "../../src/http/Decompression.js"

const text = Buffer.from("hello ".repeat(1000))

/** Feeds `body` to a streaming decoder in pieces of `piece` bytes; its result. */
const streamed = (codings: Parameters<typeof makeBodyDecoder>[0], body: Buffer, limit: number, first = 1000) =>
  new Promise<Either.Either<Buffer, { _tag: string; message: string }>>((resolve) => {
    const decoder = makeBodyDecoder(codings, limit, "http://x.test/", resolve)
    decoder.write(body.subarray(0, first))
    for (let i = first; i < body.length; i += 1000) decoder.write(body.subarray(i, i + 1000))
    decoder.end()
  })

describe("Decompression", () => {
  it("offers gzip, deflate and br (zstd only where this Node's zlib has it)", () => {
    const hasZstd = typeof (zlib as { zstdDecompressSync?: unknown }).zstdDecompressSync === "function"
    expect(acceptEncoding).toBe(hasZstd ? "gzip, deflate, br, zstd" : "gzip, deflate, br")
  })

  it("parses Content-Encoding lists in the order applied, identity dropped, x-gzip as gzip", () => {
    expect(parseContentEncoding("gzip")).toEqual(Either.right(["gzip"]))
    expect(parseContentEncoding(" X-GZIP , identity, br")).toEqual(Either.right(["gzip", "br"]))
    expect(parseContentEncoding("identity")).toEqual(Either.right([]))
    expect(parseContentEncoding("gzip, compress")).toEqual(Either.left("compress"))
  })

  it("decodes whole bodies: each coding, stacked ones right to left", () => {
    expect(decodeAll(["gzip"], zlib.gzipSync(text), 1e6, "u")).toEqual(Either.right(text))
    expect(decodeAll(["deflate"], zlib.deflateSync(text), 1e6, "u")).toEqual(Either.right(text))
    expect(decodeAll(["deflate"], zlib.deflateRawSync(text), 1e6, "u")).toEqual(Either.right(text))
    expect(decodeAll(["br"], zlib.brotliCompressSync(text), 1e6, "u")).toEqual(Either.right(text))
    const stacked = zlib.gzipSync(zlib.brotliCompressSync(text))
    expect(decodeAll(["br", "gzip"], stacked, 1e6, "u")).toEqual(Either.right(text))
  })

  it("stops at the limit: a decoded body over it is BodyTooLarge, one at it is fine", () => {
    const body = zlib.gzipSync(text)
    expect(decodeAll(["gzip"], body, text.length, "u")).toEqual(Either.right(text))
    const over = decodeAll(["gzip"], body, text.length - 1, "u")
    expect(Either.isLeft(over) && over.left._tag).toBe("BodyTooLarge")
  })

  it("a body that is not what it says is a DecodeError", () => {
    const result = decodeAll(["br"], Buffer.from("nope"), 1e6, "http://x.test/")
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "DecodeError", url: "http://x.test/" })
  })

  it("one call, bounded: a small bomb (and a stacked one) is BodyTooLarge; a truncated body a DecodeError", async () => {
    const mib = 1024 * 1024
    // 32 MiB of zeros is ~32 KiB of gzip, under the one-call threshold; gzip of that gzip, ~100 bytes.
    const zeros = Buffer.alloc(32 * mib)
    const bomb = zlib.gzipSync(zeros)
    expect(bomb.length).toBeLessThanOrEqual(streamAbove)
    const stacked = zlib.gzipSync(bomb)
    for (const [codings, body] of [[["gzip"], bomb], [["gzip", "gzip"], stacked]] as const) {
      const once = decodeAll(codings, body, mib, "u")
      expect(Either.isLeft(once) && once.left).toMatchObject({ _tag: "BodyTooLarge", limitBytes: mib })
      // The decoder takes the same path for a body under the threshold (written in pieces).
      const piecewise = await streamed(codings, body, mib)
      expect(Either.isLeft(piecewise) && piecewise.left._tag).toBe("BodyTooLarge")
    }
    const br = decodeAll(
      ["br"],
      zlib.brotliCompressSync(zeros, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }),
      mib,
      "u"
    )
    expect(Either.isLeft(br) && br.left._tag).toBe("BodyTooLarge")
    const gz = zlib.gzipSync(text)
    for (const broken of [gz.subarray(0, gz.length - 10), Buffer.concat([gz.subarray(0, 12), Buffer.alloc(40, 7)])]) {
      const result = decodeAll(["gzip"], broken, 1e6, "http://x.test/")
      expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "DecodeError", url: "http://x.test/" })
      expect(Either.isLeft(await streamed(["gzip"], broken, 1e6)) ? "failed" : "decoded").toBe("failed")
    }
    // A raw deflate body that is cut short, and a zlib one with a bad checksum.
    const raw = zlib.deflateRawSync(text)
    const short = decodeAll(["deflate"], raw.subarray(0, raw.length - 5), 1e6, "u")
    expect(Either.isLeft(short) && short.left._tag).toBe("DecodeError")
    const wrapped = Buffer.from(zlib.deflateSync(text))
    wrapped.writeUInt8(wrapped.readUInt8(wrapped.length - 1) ^ 0xff, wrapped.length - 1)
    const checksum = decodeAll(["deflate"], wrapped, 1e6, "u")
    expect(Either.isLeft(checksum) && checksum.left._tag).toBe("DecodeError")
  })

  it("streams bodies larger than the one-call threshold, with the same results", async () => {
    // Random bytes do not compress: the body is large on the wire too.
    const big = randomBytes(1024 * 1024)
    const gz = zlib.gzipSync(big, { level: 1 })
    expect(gz.length).toBeGreaterThan(streamAbove)
    const same = (result: Either.Either<Buffer, unknown>) => Either.isRight(result) && result.right.equals(big)
    expect(same(await streamed(["gzip"], gz, big.length))).toBe(true)
    const raw = zlib.deflateRawSync(big, { level: 1 })
    // A first piece of one byte: raw or zlib is decided once two bytes are in.
    expect(same(await streamed(["deflate"], raw, big.length, 1))).toBe(true)
    const over = await streamed(["gzip"], gz, big.length - 1)
    expect(Either.isLeft(over) && over.left._tag).toBe("BodyTooLarge")
    const broken = Buffer.concat([gz.subarray(0, 100_000), Buffer.alloc(100, 1)])
    const bad = await streamed(["br"], broken, big.length)
    expect(Either.isLeft(bad) && bad.left._tag).toBe("DecodeError")
  })
})
