// Writes dist/volley.cjs, the one file every command but `--version` runs from (see bin/volley.js),
// then its V8 code cache (scripts/warm-code-cache.mjs).
//
// Bundled: what a fetch runs at start (effect, @effect/cli, undici, volley itself), so start-up is
// one file compiled from the code cache instead of a few hundred modules resolved and compiled.
// Left to node_modules (they are dependencies, so they are installed beside the package): the
// packages only a command or an option loads, lazily — OpenTelemetry, the HTML (cheerio, htmlparser2), XML, YAML,
// JMESPath and JSON-schema engines, the demo server's WebSocket, the cluster mode's packages. They were 1.3 MB of the 2.5 MB
// bundle and never ran in a plain fetch (`NODE_DEBUG=module` shows no other package resolved).
//
// The source map (dist/volley.cjs.map, 16 MB) is for a checkout only: the package leaves it out,
// and stack traces there come from `VOLLEY_DEBUG=1`, which runs the unbundled dist/bin.js.
import { build } from "esbuild"

export const lazyPackages = [
  "@opentelemetry/*",
  "@effect/opentelemetry",
  "@effect/opentelemetry/*",
  "ajv",
  "cheerio",
  "htmlparser2",
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
  plugins: [undiciRarePartsOutside],
  outfile: "dist/volley.cjs",
  logLevel: "warning"
})
