/**
 * Saving bodies to files, on both transports against a loopback server: the bytes and SHA-256
 * of what was sent, a temporary name until whole, nothing kept of a failed attempt, names safe
 * and never shared.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Fetcher } from "../../src/http/Fetcher.js"
import { makeFetchOptions } from "../../src/http/FetchOptions.js"
import type { FetchOptions } from "../../src/http/FetchOptions.js"
import { fileNameFor, makeFileNamer, partSuffix, safeFileName } from "../../src/http/SaveBody.js"
import { httpClientTransportLayer, undiciLayer } from "../../src/http/TransportLayer.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

/** Deterministic bytes: `n` of them, every value 0..255. */
const bytesOf = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) % 256))

const handler = () => {
  let flaky = 0
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x")
    const n = Number(url.searchParams.get("n") ?? "1000")
    if (url.pathname === "/missing") return res.writeHead(404, { "content-type": "text/plain" }).end("nope")
    if (url.pathname === "/cut") {
      // Announces more than it sends, then drops the connection.
      res.writeHead(200, { "content-length": String(n * 2) })
      res.write(bytesOf(n))
      return res.destroy()
    }
    if (url.pathname === "/closing.bin") {
      // A server that closes the connection after the body (gunicorn's sync workers do).
      res.writeHead(200, { connection: "close", "content-length": String(n) })
      return res.end(bytesOf(n))
    }
    if (url.pathname === "/flaky.bin" && flaky++ === 0) return res.writeHead(503).end()
    if (url.pathname === "/hop") return res.writeHead(302, { location: "/files/after.bin?n=10" }).end()
    // Chunked (no content-length) for ?chunked, in 64 KiB writes.
    const body = bytesOf(n)
    if (url.searchParams.has("chunked")) {
      res.writeHead(200, { "content-type": "application/octet-stream" })
      for (let i = 0; i < body.length; i += 65536) res.write(body.subarray(i, i + 65536))
      return res.end()
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": String(n) }).end(body)
  }
}

const lanes = {
  fast: undiciLayer(),
  generic: httpClientTransportLayer.pipe(Layer.provide(undiciLayer()))
}

const fetchWith = (lane: keyof typeof lanes, index: number, url: string, options: FetchOptions) =>
  Effect.flatMap(Fetcher, (fetcher) => fetcher.fetchOne({ index, request: { url } }, options)).pipe(
    Effect.provide(Fetcher.Default.pipe(Layer.provide(lanes[lane])))
  )

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")

for (const lane of ["fast", "generic"] as const) {
  describe(`saving bodies (${lane} transport)`, () => {
    it.scopedLive("each body goes whole to its own file; the record has file, bytes, sha256 and no body", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const server = yield* startLoopbackServer(handler())
        const options = makeFetchOptions({
          maxBodyBytes: Infinity,
          retry: { retries: 1, backoff: "1 millis", maxBackoff: "1 millis" },
          save: { nameFor: makeFileNamer(dir, "{index}-{name}") }
        })
        const plain = yield* fetchWith(lane, 0, `${server.url}/files/a.bin?n=300000`, options)
        expect(plain).toMatchObject({
          ok: true,
          file: `${dir}/0-a.bin`,
          bytes: 300000,
          sha256: sha(bytesOf(300000))
        })
        expect(plain).not.toHaveProperty("body")
        expect(Buffer.compare(Buffer.from(yield* fs.readFile(`${dir}/0-a.bin`)), bytesOf(300000))).toBe(0)
        const chunked = yield* fetchWith(lane, 1, `${server.url}/files/c.bin?n=1000000&chunked`, options)
        expect(chunked).toMatchObject({ ok: true, bytes: 1000000, sha256: sha(bytesOf(1000000)) })
        // A retried attempt starts its file again; a redirect names the file by the input's URL.
        const flaky = yield* fetchWith(lane, 2, `${server.url}/flaky.bin?n=50`, options)
        expect(flaky).toMatchObject({ ok: true, attempts: 2, file: `${dir}/2-flaky.bin`, bytes: 50 })
        const hop = yield* fetchWith(lane, 3, `${server.url}/hop`, options)
        expect(hop).toMatchObject({
          ok: true,
          file: `${dir}/3-hop`,
          bytes: 10,
          finalUrl: `${server.url}/files/after.bin?n=10`
        })
        // A body from a server that closes the connection after it (a paused parser must not crash).
        const closing = yield* fetchWith(lane, 6, `${server.url}/closing.bin?n=4000000`, options)
        expect(closing).toMatchObject({ ok: true, bytes: 4000000, sha256: sha(bytesOf(4000000)) })
        // A failed answer is not saved: its body is in the record as usual.
        const missing = yield* fetchWith(lane, 4, `${server.url}/missing`, options)
        expect(missing).toMatchObject({ ok: false, status: 404, body: "nope" })
        // A body cut short leaves no file, not even the temporary one.
        const cut = yield* fetchWith(lane, 5, `${server.url}/cut?n=100000`, options)
        expect(cut).toMatchObject({ ok: false })
        expect((yield* fs.readDirectory(dir)).sort()).toEqual([
          "0-a.bin",
          "1-c.bin",
          "2-flaky.bin",
          "3-hop",
          "6-closing.bin"
        ])
      }).pipe(Effect.provide(NodeContext.layer)))

    it.scopedLive("--max-body still holds for a saved body, and the partial file is removed", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const server = yield* startLoopbackServer(handler())
        const options = makeFetchOptions({ maxBodyBytes: 1000, save: { nameFor: makeFileNamer(dir, "{name}") } })
        const declared = yield* fetchWith(lane, 0, `${server.url}/big?n=5000`, options)
        const streamed = yield* fetchWith(lane, 1, `${server.url}/big2?n=500000&chunked`, options)
        expect([declared, streamed].map((r) => r.ok ? "ok" : r.error._tag)).toEqual(["BodyTooLarge", "BodyTooLarge"])
        expect(yield* fs.readDirectory(dir)).toEqual([])
      }).pipe(Effect.provide(NodeContext.layer)))
  })
}

describe("saving a body past 2 GiB (fast transport)", () => {
  // Past 2^31 bytes, where a 32-bit length or offset would wrap; streamed from the server in
  // 1 MiB writes, hashed as it goes, so the test holds no copy of it either.
  const size = 2 ** 31 + 3 * 2 ** 20 + 17
  it.scopedLive("goes whole to its file: the size and SHA-256 of what the server sent", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const block = bytesOf(2 ** 20)
      const sent = createHash("sha256")
      const server = yield* startLoopbackServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) })
        let left = size
        const pump = () => {
          while (left > 0) {
            const chunk = left >= block.length ? block : block.subarray(0, left)
            left -= chunk.length
            sent.update(chunk)
            if (!res.write(chunk)) return void res.once("drain", pump)
          }
          res.end()
        }
        pump()
      })
      const options = makeFetchOptions({
        maxBodyBytes: Infinity,
        decompress: false,
        timeout: Duration.minutes(5),
        save: { nameFor: makeFileNamer(dir, "{name}") }
      })
      const record = yield* fetchWith("fast", 0, `${server.url}/huge.bin`, options)
      expect(record).toMatchObject({ ok: true, file: `${dir}/huge.bin`, bytes: size, sha256: sent.digest("hex") })
      expect((yield* fs.stat(`${dir}/huge.bin`)).size).toBe(BigInt(size))
      expect(yield* fs.readDirectory(dir)).toEqual(["huge.bin"])
    }).pipe(Effect.provide(NodeContext.layer)), 300_000)
})

describe("file names", () => {
  const url = new URL("http://Host.test:8080/a/b/r%C3%A9sum%C3%A9.tar.gz?q=1")
  it("placeholders, decoded and made safe", () => {
    expect(fileNameFor("{index}-{name}", 3, url)).toBe("3-résumé.tar.gz")
    expect(fileNameFor("{host}_{path}", 3, url)).toBe("host.test_a_b_résumé.tar.gz")
    expect(fileNameFor("{index}.{ext}", 3, url)).toBe("3.gz")
    expect(fileNameFor("{name}", 0, new URL("http://h/"))).toBe("index")
    expect(fileNameFor("{name}", 0, new URL("http://h/a%2F..%2F..%2Fetc%2Fpasswd"))).toBe("passwd")
  })
  it("safe on every OS: no separators, reserved names, trailing dots, control characters", () => {
    expect(safeFileName("a/b\\c:d*e?f\"g<h>i|j\u0001")).toBe("a_b_c_d_e_f_g_h_i_j_")
    expect(safeFileName("CON.txt")).toBe("_CON.txt")
    expect(safeFileName("name. ")).toBe("name")
    expect(safeFileName("..")).toBe("_")
    expect(Buffer.byteLength(safeFileName("é".repeat(300)))).toBeLessThanOrEqual(200)
  })
  it("two inputs never get one file", () => {
    const namer = makeFileNamer("/d", "{name}")
    expect(namer(0, new URL("http://a/x.bin"))).toBe("/d/x.bin")
    expect(namer(1, new URL("http://b/x.bin"))).toBe("/d/x-1.bin")
    expect(partSuffix).toBe(".volley-part")
  })
})
