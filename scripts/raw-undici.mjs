// The in-repo baseline: undici's request() on one Agent, N workers pulling from a shared index,
// bodies parsed, results kept in input order and written as NDJSON. No framework.
// usage: node scripts/raw-undici.mjs URLS_FILE CONCURRENCY OUT_FILE
import { Agent, request } from "@effect/platform-node/Undici"
import { createWriteStream, readFileSync } from "node:fs"

const [file, c, out] = process.argv.slice(2)
const concurrency = Number(c)
const urls = readFileSync(file, "utf8").split("\n").filter(Boolean)
const dispatcher = new Agent({ connections: concurrency, pipelining: 1 })
const results = new Array(urls.length)
let next = 0
const worker = async () => {
  while (next < urls.length) {
    const i = next++
    try {
      const res = await request(urls[i], { dispatcher })
      results[i] = { index: i, url: urls[i], status: res.statusCode, body: await res.body.json() }
    } catch (e) {
      results[i] = { index: i, url: urls[i], error: String(e) }
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker))
const stream = createWriteStream(out)
for (const r of results) stream.write(JSON.stringify(r) + "\n")
stream.end()
await dispatcher.close()
