#!/usr/bin/env node
// The volley executable. `--version` is answered without loading anything; every other command
// runs from one bundled file (dist/volley.mjs), which starts several times faster than the
// unbundled modules.
import { readFileSync } from "node:fs"

const args = process.argv.slice(2)
if (args.length === 1 && args[0] === "--version") {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
  process.stdout.write(`${version}\n`)
} else {
  await import("../dist/volley.mjs")
}
