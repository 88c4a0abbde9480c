#!/usr/bin/env node
// The volley executable. `--version` is answered without loading anything; every other command
// runs from one bundled file (dist/volley.cjs), or with VOLLEY_DEBUG set from the unbundled
// modules (dist/bin.js) so a stack trace names volley's own files, lines and functions.
//
// Start-up is most of a short run, and compiling the bundle was a third of it. Node 20 has no
// compile cache (`module.enableCompileCache` came in Node 22), so the bundle is compiled with a
// V8 code cache: in a checkout, dist/volley.cjs.cache made by `npm run bundle` from a warm-up
// run; in the installed package (which leaves the 1.6 MB cache out to stay small), one written
// at the end of the first run to the user's cache directory. A cache from another Node, V8 or
// set of flags is rejected by V8 itself; the file is then compiled as usual (and the user's
// cache rewritten).
//
// The old generation may grow by at most half at each major GC (V8's default lets it grow up to
// fourfold while GC is cheap): a long run then stays near its live size — 130 MB instead of 190
// MB peak at 200,000 URLs — at no measured cost in speed. It is a growth rate, not a cap.
//
// undici parses HTTP with llhttp in WebAssembly, which V8 compiles first with its baseline compiler
// (Liftoff) and then, once enough of it has run, recompiles with TurboFan in the background. llhttp's
// parser is one very large function: that compile takes ~35 MB of RSS for a moment — the peak of a
// one-URL run (before 2026-12-01) and, once any run has parsed a few thousand responses, of every
// long run (20k and 200k URLs peaked there). Liftoff's code is fast enough: HTTP parsing is a small
// part of a request's cost, and 20k- and 200k-URL runs kept their speed (PERFORMANCE.md, "Issue 19,
// fifth round").
//
// The young generation does not grow while the bundle starts: start-up allocates ~20 MB that
// nearly all stays live, and V8's default doubling of the semi-spaces at each scavenge only adds
// room for it to be copied into. With a growth factor of 1 until the first turn of the event loop
// a one-URL fetch peaks at 67 instead of 72 MB, and spends no more time (PERFORMANCE.md, "Issue
// 19, fourth round"). From then on the semi-spaces double as V8 decides, up to 4 MB each instead of
// V8's 16: a run's requests live for milliseconds, and 4 MB holds those in flight — 64 at a time
// with 22 KB bodies took less CPU and memory than with 16 MB, while 2 MB promoted them early (+15%
// CPU) —, and a long run peaks ~20 MB lower (PERFORMANCE.md, "Issue 19, fifth round"). V8 cannot be
// told that size once it has started (`--max-semi-space-size` is read when the heap is made, and as
// a command-line flag it would void the code cache), so a GC observer turns the growth off at that
// size, and on again if V8 has shrunk the young generation below it. Left alone when the user's own
// Node flags size it.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { homedir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { PerformanceObserver } from "node:perf_hooks"
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8"
import { Script } from "node:vm"

setFlagsFromString("--heap-growing-percent=50")
setFlagsFromString("--liftoff-only")
const growthSetByUser = /--(?:(?:max|min)[-_])?semi[-_]space/.test(`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`)
const startUpGrowth = () => {
  if (!growthSetByUser) setFlagsFromString("--semi-space-growth-factor=1")
}
startUpGrowth()
// Both semi-spaces, as V8 counts the new space's size.
const youngGenerationCap = 8 * 1024 * 1024
// Everything until then runs synchronously (the bundle's modules, then the command's first steps).
if (!growthSetByUser) {
  setImmediate(() => {
    let growing = true
    setFlagsFromString("--semi-space-growth-factor=2")
    new PerformanceObserver(() => {
      const young = getHeapSpaceStatistics().find((space) => space.space_name === "new_space")
      if (young === undefined || growing === young.space_size < youngGenerationCap) return
      growing = !growing
      setFlagsFromString(`--semi-space-growth-factor=${growing ? 2 : 1}`)
    }).observe({ entryTypes: ["gc"] })
  })
}

const env = process.env
const args = process.argv.slice(2)

// Where the first run of an installed package keeps its code cache; VOLLEY_CODE_CACHE_DIR= (empty)
// turns it off. V8 rejects a cache made under other flags, so the name carries the Node flags too:
// two ways of starting volley then keep a cache each instead of rewriting one in turns.
const userCacheFile = (bundle) => {
  try {
    const override = env.VOLLEY_CODE_CACHE_DIR
    const base = override ?? (process.platform === "win32"
      ? env.LOCALAPPDATA
      : env.XDG_CACHE_HOME || join(homedir(), ".cache"))
    if (base === undefined || base === "") return undefined
    const { size, mtimeMs } = statSync(bundle)
    let flags = 0x811c9dc5 // FNV-1a of the flags: a short, stable name
    for (const c of `${process.execArgv.join(" ")} ${env.NODE_OPTIONS ?? ""}`) {
      flags = Math.imul(flags ^ c.charCodeAt(0), 0x01000193) >>> 0
    }
    const name = `code-${process.versions.v8}-${size}-${Math.trunc(mtimeMs)}-${flags.toString(36)}.cache`
    return join(override === undefined ? join(base, "volley") : base, name)
  } catch {
    return undefined // no home directory: no cache, the bundle is compiled as usual
  }
}

const writeCache = (script, cacheFile, mode) => {
  try {
    const dir = join(cacheFile, "..")
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const partial = `${cacheFile}.${process.pid}`
    // The cache records the flags it is made under and V8 accepts it only under the same ones:
    // those of the compile, start-up's growth factor included.
    startUpGrowth()
    writeFileSync(partial, script.createCachedData(), { mode })
    renameSync(partial, cacheFile)
  } catch {
    // A read-only or missing cache directory costs the next run its compile time, nothing else.
  }
}

// A cache that cannot be read (absent, or another user's) is compiled without.
const readIfThere = (path) => {
  try {
    return readFileSync(path)
  } catch {
    return undefined
  }
}

const debug = env.VOLLEY_DEBUG !== undefined && env.VOLLEY_DEBUG !== ""

if (args.length === 1 && args[0] === "--version") {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
  process.stdout.write(`${version}\n`)
} else if (debug) {
  // In a checkout the maps lead on to src/*.ts; in the package, dist/*.js is readable as it is.
  process.setSourceMapsEnabled(true)
  await import("../dist/bin.js")
} else {
  const file = fileURLToPath(new URL("../dist/volley.cjs", import.meta.url))
  const builtCache = `${file}.cache`
  const warmUp = env.VOLLEY_WRITE_CODE_CACHE === "1"
  const built = warmUp || existsSync(builtCache)
  const cacheFile = built ? builtCache : userCacheFile(file)
  let cachedData = warmUp || cacheFile === undefined ? undefined : readIfThere(cacheFile)
  // The bundle is written as CommonJS's function wrapper (scripts/bundle.mjs): compiled as read.
  const script = new Script(readFileSync(file, "utf8"), {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  // The 2 MB code cache is spent once compiled (V8 copied what it needed): free for the next GC.
  const stale = cachedData === undefined || script.cachedDataRejected === true
  cachedData = undefined
  // The warm-up run of the build, or a first run: the cache then holds every function it compiled.
  // A checkout's cache is the build's alone (a run under other flags must not replace it).
  if (cacheFile !== undefined && (warmUp || (!built && stale))) {
    // The user's own cache is for that user's eyes only; a checkout's, for whoever runs it.
    process.on("exit", () => writeCache(script, cacheFile, built ? 0o644 : 0o600))
  }
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(file), module, file, fileURLToPath(new URL("../dist", import.meta.url)))
}
