// A small loopback API for the tls and gzip bench scenarios: GET /json/:n answers about 1 KB of
// JSON. --tls DIR serves HTTPS (and offers h2 by ALPN) with DIR/cert.pem and DIR/key.pem;
// --gzip answers gzip (compressed once, up front) to requests that accept it.
// usage: node scripts/bench-server.mjs [--tls DIR] [--gzip]   (prints "listening URL")
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as http2 from "node:http2"
import { gzipSync } from "node:zlib"

const args = process.argv.slice(2)
const tlsDir = args.includes("--tls") ? args[args.indexOf("--tls") + 1] : undefined
const gzip = args.includes("--gzip")
const body = Buffer.from(JSON.stringify({
  id: 1,
  items: Array.from({ length: 12 }, (_, i) => ({ i, name: `item ${i}`, tags: ["alpha", "beta", "gamma"], ok: true }))
}))
const compressed = gzipSync(body)
const handler = (req, res) => {
  const wantsGzip = gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))
  const payload = wantsGzip ? compressed : body
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": payload.length,
    ...(wantsGzip ? { "content-encoding": "gzip" } : {})
  })
  res.end(payload)
}
const server = tlsDir === undefined
  ? http.createServer({ keepAliveTimeout: 60_000 }, handler)
  : http2.createSecureServer({
    cert: readFileSync(`${tlsDir}/cert.pem`),
    key: readFileSync(`${tlsDir}/key.pem`),
    allowHTTP1: true,
    settings: { maxConcurrentStreams: 1000 }
  }, handler)
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${tlsDir === undefined ? "http" : "https"}://127.0.0.1:${server.address().port}`)
})
