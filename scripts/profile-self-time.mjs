// Self time per function (name, script, line) summed over .cpuprofile files, averaged per file:
//   TOP=40 node scripts/profile-self-time.mjs /tmp/prof/*.cpuprofile
import { readFileSync } from "node:fs"
const files = process.argv.slice(2)
const agg = new Map()
let total = 0
for (const f of files) {
  const p = JSON.parse(readFileSync(f, "utf8"))
  const dt = new Map()
  const ids = p.samples
  for (let i = 0; i < ids.length; i++) dt.set(ids[i], (dt.get(ids[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  for (const n of p.nodes) {
    const t = dt.get(n.id) ?? 0
    if (!t) continue
    const cf = n.callFrame
    const url = cf.url.replace(/.*node_modules\//, "nm/").replace(/.*\/dist\//, "dist/")
    const k = `${cf.functionName || "(anon)"} ${url}:${cf.lineNumber}`
    agg.set(k, (agg.get(k) ?? 0) + t)
    total += t
  }
}
const rows = [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))
console.log(`total ${(total / 1000 / files.length).toFixed(0)} ms/run`)
for (const [k, t] of rows) {
  console.log(((t / 1000) / files.length).toFixed(1).padStart(8), (100 * t / total).toFixed(1).padStart(5) + "%", k)
}
