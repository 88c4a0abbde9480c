/**
 * `volley compare`'s output: a per-URL table of elapsed times with bars, then the totals with the
 * speed-up (text, fits 80 columns); or the numbers as JSON.
 *
 * @module
 */
import { formatMillis, roundMs } from "../domain/DurationText.js"
import type { CompareResult, ModeResult } from "../engine/Compare.js"

const barWidth = 14
const urlWidth = 28

const seconds = (ms: number) => formatMillis(ms)

const bar = (ms: number, max: number) => {
  const cells = max <= 0 ? 0 : Math.max(ms > 0 ? 1 : 0, Math.round((ms / max) * barWidth))
  return "█".repeat(cells).padEnd(barWidth)
}

/** A URL shortened from the left to `width` characters (the end of a URL is what differs). */
const shortUrl = (url: string, width: number) => {
  const path = url.replace(/^https?:\/\/[^/]+/, "") || "/"
  return path.length <= width ? path.padEnd(width) : "…" + path.slice(path.length - width + 1)
}

const modeLabel = (mode: ModeResult) =>
  mode.mode === "sequential"
    ? "sequential"
    : mode.mode === "concurrent"
    ? `concurrent (${mode.concurrency})`
    : `batched (${mode.batchSize} per batch)`

/** The JSON shape: `{"sequential":{ms,ok,failed},"concurrent":{…},"batched":{…},"speedup":…}`. */
export const compareJson = (result: CompareResult) => {
  const out: Record<string, unknown> = {}
  for (const mode of result.modes) {
    out[mode.mode] = { ms: roundMs(mode.ms), ok: mode.ok, failed: mode.failed }
  }
  out["speedup"] = Math.round(result.speedup * 100) / 100
  return out
}

/** The text report; `maxRows` limits the per-URL table (first and last rows are kept). */
export const compareText = (result: CompareResult, maxRows = 20): string => {
  const shown = result.modes.slice(0, 2)
  const max = Math.max(0, ...shown.flatMap((m) => m.records.map((r) => r.ms)))
  const lines: Array<string> = []
  lines.push(`${"URL".padEnd(urlWidth)}  ${shown.map((m) => m.mode.padEnd(barWidth + 9)).join(" ")}`.trimEnd())
  const row = (i: number) => {
    const cells = shown.map((m) => {
      const record = m.records[i]!
      const time = record.ok ? seconds(record.ms).padStart(8) : "  failed"
      return `${time} ${bar(record.ms, max)}`
    })
    return `${shortUrl(result.urls[i]!, urlWidth)}  ${cells.join(" ")}`.trimEnd()
  }
  const n = result.urls.length
  if (n <= maxRows) {
    for (let i = 0; i < n; i++) lines.push(row(i))
  } else {
    const head = Math.ceil(maxRows * 0.75)
    const tail = maxRows - head
    for (let i = 0; i < head; i++) lines.push(row(i))
    lines.push(`… ${n - head - tail} more`)
    for (let i = n - tail; i < n; i++) lines.push(row(i))
  }
  lines.push("")
  const sequential = result.modes[0]!
  lines.push(
    `${"mode".padEnd(28)} ${"time".padStart(9)} ${"ok".padStart(6)} ${"failed".padStart(7)} ${"speed-up".padStart(9)}`
  )
  for (const mode of result.modes) {
    const speedup = mode.ms > 0 ? sequential.ms / mode.ms : 0
    lines.push(
      `${modeLabel(mode).padEnd(28)} ${seconds(mode.ms).padStart(9)} ${String(mode.ok).padStart(6)} ${
        String(mode.failed).padStart(7)
      } ${(speedup.toFixed(1) + "×").padStart(9)}`
    )
  }
  return lines.join("\n") + "\n"
}
