// A small loopback API for the tls and gzip bench scenarios: GET /json/:n answers about 1 KB of
// JSON. --tls DIR serves HTTPS (and offers h2 by ALPN) with DIR/cert.pem and DIR/key.pem;
// --gzip answers gzip (compressed once, up front) to requests that accept it. --html answers
// every path with one of 8 generated HTML pages of ~200 KB shaped like documentation pages (a
// head with styles, a nav of links, sections of prose and tables with links, inline scripts),
// for the html scenario's --select run.
// usage: node scripts/bench-server.mjs [--tls DIR] [--gzip] [--html]   (prints "listening URL")
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

/** A documentation-like page of about 200 KB; `seed` varies its words and links. */
const htmlPage = (seed) => {
  const words = ["packet", "kernel", "mirror", "archive", "release", "source", "binary", "policy", "manual", "daemon"]
  const word = (i) => words[(i * 7 + seed) % words.length]
  const sentence = (i) => Array.from({ length: 14 }, (_, j) => word(i + j)).join(" ") + "."
  const nav = Array.from(
    { length: 120 },
    (_, i) => `<li><a href="/doc/${seed}/${i}.html" title="${word(i)}">${word(i)} ${i}</a></li>`
  )
  const section = (k) =>
    `<section id="s${k}"><h2>${word(k)} ${k}</h2>` +
    Array.from({ length: 6 }, (_, p) =>
      `<p class="prose">${sentence(k + p)} <a href="#s${(k + p) % 50}">${word(p)}</a> ${sentence(k * p)} <code>${
        word(k)
      }(${p})</code> ${sentence(p)}</p>`).join("") +
    `<table class="data"><thead><tr><th>name</th><th>version</th><th>link</th></tr></thead><tbody>` +
    Array.from({ length: 12 }, (_, r) =>
      `<tr><td>${word(r)}-${k}</td><td>${k}.${r}</td><td><a href="https://example.org/${seed}/${k}/${r}">${
        word(r + k)
      }</a></td></tr>`).join("") +
    `</tbody></table></section>`
  const script = `<script>window.__data = ${
    JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ i, w: word(i) })))
  };</script>`
  return Buffer.from(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${word(seed)} manual</title>` +
      `<style>${
        "body{font:14px sans-serif}.prose{margin:0 0 1em}table.data td{padding:2px 4px}".repeat(20)
      }</style>${script}</head>` +
      `<body><header><nav><ul>${nav.join("")}</ul></nav></header><main>` +
      Array.from({ length: 50 }, (_, k) => section(k)).join("") +
      `</main>${script}<footer><p>${sentence(seed)}</p></footer></body></html>`
  )
}
const htmlPages = args.includes("--html") ? Array.from({ length: 8 }, (_, i) => htmlPage(i)) : []

const handler = (req, res) => {
  if (htmlPages.length > 0) {
    const page = htmlPages[(Number(/(\d+)/.exec(req.url ?? "")?.[1] ?? 0)) % htmlPages.length]
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": page.length })
    res.end(page)
    return
  }
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
