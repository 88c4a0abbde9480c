// Writes dist/volley.cjs.cache: V8's code cache for the bundle, from a warm-up run of the fetch
// pipeline against a loopback server started here (one URL, written to /dev/null). See bin/volley.js.
//
// The cache holds the functions the warm-up compiled: a run that really fetches (connect, undici's
// request and response path, the record and the summary) compiles the ones a user's fetch runs, as
// the cache an installed package writes after its first run does. The earlier warm-up fetched an
// invalid URL and left those out: a one-URL fetch then compiled them at run time (PERFORMANCE.md,
// "Issue 19, fourth round").
import { spawn } from "node:child_process"
import { existsSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/volley.js", import.meta.url))
const cache = fileURLToPath(new URL("../dist/volley.cjs.cache", import.meta.url))
rmSync(cache, { force: true })

const server = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "application/json" })
  response.end("{\"warm\":true}\n")
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const { port } = server.address()
const url = `http://127.0.0.1:${port}/warm-up.json`
// The warm-up speaks to the loopback server directly, whatever proxy the build's environment names.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(http|https|all|no)_proxy$/i.test(name))
)
const status = await new Promise((resolve) => {
  const child = spawn(process.execPath, [bin, "fetch", url, "--no-progress", "--output", "/dev/null"], {
    env: { ...env, VOLLEY_WRITE_CODE_CACHE: "1" },
    stdio: "ignore"
  })
  child.on("error", () => resolve("error"))
  child.on("exit", (code, signal) => resolve(code ?? signal))
})
server.close()
// The warm-up's one record is a success (exit code 0); anything else means the bundle is broken.
if (status !== 0 || !existsSync(cache)) {
  console.error(`warm-code-cache: the warm-up run ended with ${status}; no code cache written`)
  process.exit(1)
}
