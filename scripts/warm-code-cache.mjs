// Writes dist/volley.cjs.cache: V8's code cache for the bundle, from a warm-up run of the
// fetch pipeline that needs no network (one invalid URL, written to /dev/null). See bin/volley.js.
import { spawnSync } from "node:child_process"
import { existsSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/volley.js", import.meta.url))
const cache = fileURLToPath(new URL("../dist/volley.cjs.cache", import.meta.url))
rmSync(cache, { force: true })
const run = spawnSync(process.execPath, [bin, "fetch", "warm-up:not-a-url", "--no-progress", "--output", "/dev/null"], {
  env: { ...process.env, VOLLEY_WRITE_CODE_CACHE: "1" },
  stdio: "ignore"
})
// The warm-up's one record is a failure (exit code 1); anything else means the bundle is broken.
if (run.status !== 1 || !existsSync(cache)) {
  console.error(`warm-code-cache: the warm-up run ended with ${run.status ?? run.signal}; no code cache written`)
  process.exit(1)
}
