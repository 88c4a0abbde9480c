/**
 * A loopback `node:http` server answering the way real servers do and the demo API does not:
 * bodies compressed by `node:zlib` (gzip, deflate both ways, brotli, stacked, a bomb, corrupt),
 * text in other charsets, binary bodies. Every route is `GET /<name>`; `/echo` answers with the
 * request's headers as JSON.
 */
import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as zlib from "node:zlib"

/** The text most routes send, compressed or not. */
export const sample: string = JSON.stringify({
  greeting: "héllo wörld",
  items: Array.from({ length: 50 }, (_, i) => i)
})

/** A gzip stream of `members` copies of 16 MiB of zeros (several members are one gzip body). */
const bomb = (members: number): Buffer => {
  const member = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 })
  return Buffer.concat(Array.from({ length: members }, () => member))
}

interface Route {
  readonly headers: Record<string, string>
  readonly body: Buffer
  /** Sent in pieces, without a content-length. */
  readonly chunked?: boolean
}

const json = { "content-type": "application/json" }

const makeRoutes = (): Record<string, Route> => {
  const text = Buffer.from(sample)
  // Rows with a pseudo-random field, so the compressed body stays large (about 200 KiB).
  let seed = 1
  const noise = () => (seed = (seed * 1103515245 + 12345) % 2147483648).toString(16)
  const big = Buffer.from(
    JSON.stringify({ rows: Array.from({ length: 20_000 }, (_, i) => ({ i, s: `row ${i}`, h: noise() })) })
  )
  return {
    plain: { headers: json, body: text },
    gzip: { headers: { ...json, "content-encoding": "gzip" }, body: zlib.gzipSync(text) },
    "x-gzip": { headers: { ...json, "content-encoding": "x-gzip" }, body: zlib.gzipSync(text) },
    "deflate-zlib": { headers: { ...json, "content-encoding": "deflate" }, body: zlib.deflateSync(text) },
    "deflate-raw": { headers: { ...json, "content-encoding": "deflate" }, body: zlib.deflateRawSync(text) },
    br: { headers: { ...json, "content-encoding": "br" }, body: zlib.brotliCompressSync(text) },
    // Applied left to right: deflate first, then gzip, then br.
    stacked: {
      headers: { ...json, "content-encoding": "deflate, gzip, br" },
      body: zlib.brotliCompressSync(zlib.gzipSync(zlib.deflateSync(text)))
    },
    // Large enough (on the wire) to be decoded as a stream, sent in pieces.
    "big-gzip": {
      headers: { ...json, "content-encoding": "gzip" },
      body: zlib.gzipSync(big, { level: 1 }),
      chunked: true
    },
    "big-br-raw-deflate": {
      headers: { ...json, "content-encoding": "deflate, br" },
      body: zlib.brotliCompressSync(zlib.deflateRawSync(big, { level: 1 }), {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 }
      }),
      chunked: true
    },
    // 1 GiB of zeros in about 1 MiB.
    bomb: { headers: { ...json, "content-encoding": "gzip" }, body: bomb(64), chunked: true },
    // A small bomb: decoded in one call (it is small on the wire), 64 MiB decoded.
    "small-bomb": { headers: { ...json, "content-encoding": "gzip" }, body: bomb(4) },
    corrupt: { headers: { ...json, "content-encoding": "gzip" }, body: Buffer.from("this is not gzip at all") },
    truncated: { headers: { ...json, "content-encoding": "gzip" }, body: zlib.gzipSync(text).subarray(0, 20) },
    unknown: { headers: { ...json, "content-encoding": "compress" }, body: text },
    latin1: { headers: { "content-type": "text/plain; charset=ISO-8859-1" }, body: Buffer.from("caf\xe9", "latin1") },
    "shift-jis": {
      headers: { "content-type": "text/plain; charset=\"shift_jis\"" },
      // "日本" in Shift_JIS.
      body: Buffer.from([0x93, 0xfa, 0x96, 0x7b])
    },
    "utf16-bom": {
      // The byte-order mark wins over the (wrong) label.
      headers: { "content-type": "text/plain; charset=iso-8859-1" },
      body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("héllo", "utf16le")])
    },
    "utf8-bom": { headers: { "content-type": "application/json" }, body: Buffer.from("\ufeff{\"a\":1}") },
    png: {
      headers: { "content-type": "image/png" },
      body: Buffer.from("89504e470d0a1a0a0000000d49484452", "hex")
    },
    octets: { headers: { "content-type": "application/octet-stream" }, body: Buffer.from("plain ascii bytes") },
    "bad-utf8": {
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: Buffer.from([0x63, 0x61, 0x66, 0xe9])
    },
    "no-type-binary": { headers: {}, body: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x81]) },
    "gzip-latin1": {
      headers: { "content-type": "text/plain; charset=latin1", "content-encoding": "gzip" },
      body: zlib.gzipSync(Buffer.from("déjà vu", "latin1"))
    }
  }
}

let routes: Record<string, Route> | undefined

export interface RealWebServer {
  readonly url: string
  /** How many bytes of body the server has written, per route. */
  readonly written: Map<string, number>
}

const handle = (written: Map<string, number>) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  const name = (req.url ?? "/").slice(1).split("?")[0]!
  if (name === "echo") {
    res.writeHead(200, json)
    res.end(JSON.stringify({ method: req.method, headers: req.headers }))
    return
  }
  const route = (routes ??= makeRoutes())[name]
  if (route === undefined) {
    res.writeHead(404)
    res.end()
    return
  }
  res.writeHead(200, route.chunked === true ? route.headers : { ...route.headers, "content-length": route.body.length })
  if (route.chunked !== true) {
    written.set(name, route.body.length)
    res.end(route.body)
    return
  }
  // Pieces of 16 KiB, each written once the socket took the one before.
  let offset = 0
  const next = () => {
    while (offset < route.body.length) {
      const piece = route.body.subarray(offset, offset + 16 * 1024)
      offset += piece.length
      written.set(name, offset)
      if (!res.write(piece)) return void res.once("drain", next)
    }
    res.end()
  }
  res.on("error", () => {})
  next()
}

/** Starts the server on a loopback port for the scope. */
export const startRealWebServer = (host = "127.0.0.1") =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly info: RealWebServer }>((resume) => {
      const written = new Map<string, number>()
      const server = http.createServer(handle(written))
      server.listen(0, host, () => {
        const { port } = server.address() as AddressInfo
        const shown = host.includes(":") ? `[${host}]` : host
        resume(Effect.succeed({ server, info: { url: `http://${shown}:${port}`, written } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ info }) => info))
