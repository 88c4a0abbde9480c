// After `tsc`: keeps in dist/ only the declaration files the public API's types reach from
// dist/index.d.ts (following their relative imports). The rest describe internal modules no user
// can import (the package's `exports` has only "."): shipped, they would be 150 KB of a package
// that must stay small, and read as API they are not.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { dirname, join, normalize } from "node:path"

const entry = "dist/index.d.ts"
const reached = new Set()
const pending = [entry]
while (pending.length > 0) {
  const file = pending.pop()
  if (reached.has(file) || !existsSync(file)) continue
  reached.add(file)
  const text = readFileSync(file, "utf8")
  for (const [, specifier] of text.matchAll(/(?:from\s+|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    pending.push(normalize(join(dirname(file), specifier.replace(/\.js$/, ".d.ts"))))
  }
}
if (!reached.has(entry)) throw new Error(`${entry} is missing: run tsc first`)

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]
  )
let removed = 0
for (const file of walk("dist")) {
  if (file.endsWith(".d.ts") && !reached.has(file)) {
    rmSync(file)
    removed++
  }
}
process.stdout.write(`prune-types: ${reached.size} declaration files kept, ${removed} internal ones removed\n`)
