// Writes dist/volley.cjs, the one file every command but `--version` runs from (see bin/volley.js),
// then its V8 code cache (scripts/warm-code-cache.mjs).
//
// Bundled: what a fetch runs at start (effect, @effect/cli, undici, volley itself), so start-up is
// one file compiled from the code cache instead of a few hundred modules resolved and compiled.
// Left to node_modules (they are dependencies, so they are installed beside the package): the
// packages only a command or an option loads, lazily — OpenTelemetry, the HTML (cheerio; the `entities` decoder of `--select TAG --select-attr NAME`), XML, YAML,
// JMESPath and JSON-schema engines, the demo server's WebSocket, the cluster mode's packages. They were 1.3 MB of the 2.5 MB
// bundle and never ran in a plain fetch (`NODE_DEBUG=module` shows no other package resolved).
//
// The source map (dist/volley.cjs.map, 16 MB) is for a checkout only: the package leaves it out,
// and stack traces there come from `VOLLEY_DEBUG=1`, which runs the unbundled dist/bin.js.
import { build } from "esbuild"
import { createRequire } from "node:module"

export const lazyPackages = [
  "@opentelemetry/*",
  "@effect/opentelemetry",
  "@effect/opentelemetry/*",
  "ajv",
  "cheerio",
  "entities",
  "entities/*",
  "yaml",
  "fast-xml-parser",
  "@jmespath-community/jmespath",
  "ws",
  // The cluster mode (issue 16): only `--cluster`, `volley worker`, `runs` and `cluster` load these.
  "@effect/platform-node/NodeClusterSocket",
  "@effect/cluster",
  "@effect/cluster/*",
  "@effect/rpc",
  "@effect/rpc/*",
  "@effect/sql",
  "@effect/sql/*",
  "@effect/sql-pg",
  "@effect/sql-pg/*",
  "@effect/workflow",
  "@effect/workflow/*",
  "@effect/experimental",
  "@effect/experimental/*",
  "pg"
]

// Two parts of undici are left to node_modules (undici is a dependency, installed beside the
// package), each loaded only when needed: its package index (fetch, WebSocket, caches, mocks:
// 0.25 MB of the bundle), which only a proxy loads (src/http/UndiciAgent.ts; the fetch path
// imports undici's modules one by one, and those stay bundled), and the 72 KB non-SIMD build of
// its HTTP parser, which only a CPU without WebAssembly SIMD loads.
const undiciRarePartsOutside = {
  name: "undici-rare-parts-outside",
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: "undici", external: true }))
    b.onResolve(
      { filter: /^\.\.\/llhttp\/llhttp-wasm\.js$/ },
      () => ({ path: "undici/lib/llhttp/llhttp-wasm.js", external: true })
    )
  }
}

// What a plain fetch never calls into, yet modules it loads (undici's, effect's platform, volley's
// own) import at their top level: Node built-ins, and tough-cookie (with tldts' public-suffix
// list), which src/http/CookieJar imports for --cookie/--cookie-jar and workflow sessions only.
// Each is bundled as a stand-in whose properties load the module on first use, so a run that
// never speaks HTTP/2 or TLS, decodes gzip, hashes, prompts or keeps cookies does not pay for
// loading them (PERFORMANCE.md, "Issue 19, third round"). tough-cookie's stand-in requires its
// CommonJS build, which esbuild bundles inside a function run on the first require: bundled all
// the same, evaluated late. (os, assert and perf_hooks are left as they are: bin/volley.js,
// undici's load-time asserts and the `performance` global load them anyway, and undici calls
// assert on every request.)
// Only reads go through: nothing in the bundle writes to these modules. http2's
// `constants` is data that undici destructures at load; it is copied in at build time (the
// protocol's fixed codes and header names, the same in every Node 20) so http2 itself loads only
// for an h2 session.
export const lazyBuiltins = ["http2", "tls", "zlib", "crypto", "readline", "child_process", "dns"]
const lazyPackagesBundled = ["tough-cookie"]
const lazyModulesPlugin = {
  name: "lazy-modules",
  setup(b) {
    const require = createRequire(import.meta.url)
    const filter = new RegExp(`^((node:)?(${lazyBuiltins.join("|")})|${lazyPackagesBundled.join("|")})$`)
    b.onResolve({ filter }, (args) => {
      if (args.namespace !== "lazy-module") return { path: args.path.replace(/^node:/, ""), namespace: "lazy-module" }
      // The stand-in's own require: the real built-in (external), or the package (bundled as usual).
      return args.path.startsWith("node:") ? { path: args.path, external: true } : undefined
    })
    b.onLoad({ filter: /.*/, namespace: "lazy-module" }, ({ path }) => {
      const specifier = lazyBuiltins.includes(path) ? `node:${path}` : path
      const real = require(specifier)
      const keys = Object.keys(real).filter((key) => key !== "default" && key !== "__esModule")
      const inlined = path === "http2" ? { constants: real.constants } : {}
      const getters = keys.map((key) =>
        `  get ${JSON.stringify(key)}() { return ${key in inlined ? "inlined" : "load()"}[${JSON.stringify(key)}] },`
      )
      const lines = [
        `let real; const load = () => real ??= require(${JSON.stringify(specifier)});`,
        `const inlined = ${JSON.stringify(inlined)};`,
        "module.exports = {",
        ...getters,
        "};"
      ]
      return { contents: lines.join("\n"), loader: "js", resolveDir: process.cwd() }
    })
  }
}

await build({
  entryPoints: ["src/bin.ts"],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // bin/volley.js runs the bundle as a script (for the code cache): no `import()` there.
  supported: { "dynamic-import": false },
  minify: true,
  sourcemap: true,
  external: lazyPackages,
  plugins: [undiciRarePartsOutside, lazyModulesPlugin],
  // The file is the function bin/volley.js compiles and calls (CommonJS's own wrapper): read, it is
  // compiled as it is, instead of as a second 1.2 MB string made by wrapping the first.
  banner: { js: "(function (exports, require, module, __filename, __dirname) {" },
  footer: { js: "\n})" },
  outfile: "dist/volley.cjs",
  logLevel: "warning"
})
