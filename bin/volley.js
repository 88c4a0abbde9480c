#!/usr/bin/env node
// The volley executable. `--version` is answered without loading anything; every other command
// runs from one bundled file (dist/volley.cjs).
//
// Start-up is most of a short run, and compiling the 2 MB bundle was a third of it. Node 20 has
// no compile cache (`module.enableCompileCache` came in Node 22), so the bundle is compiled with
// V8's code cache made at build time (`npm run bundle` writes dist/volley.cjs.cache from a warm-up
// run). A cache from another Node or V8 is rejected by V8 itself and the file is compiled as usual.
//
// The old generation may grow by at most half at each major GC (V8's default lets it grow up to
// fourfold while GC is cheap): a long run then stays near its live size — 130 MB instead of 190
// MB peak at 200,000 URLs — at no measured cost in speed. It is a growth rate, not a cap.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { setFlagsFromString } from "node:v8"
import { Script } from "node:vm"

setFlagsFromString("--heap-growing-percent=50")

const args = process.argv.slice(2)
if (args.length === 1 && args[0] === "--version") {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
  process.stdout.write(`${version}\n`)
} else {
  const file = fileURLToPath(new URL("../dist/volley.cjs", import.meta.url))
  const cacheFile = `${file}.cache`
  const writeCache = process.env.VOLLEY_WRITE_CODE_CACHE === "1"
  const cachedData = !writeCache && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  const source = readFileSync(file, "utf8")
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  // The warm-up run of the build: the cache then holds every function the run compiled.
  if (writeCache) process.on("exit", () => writeFileSync(cacheFile, script.createCachedData()))
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(file), module, file, fileURLToPath(new URL("../dist", import.meta.url)))
}
