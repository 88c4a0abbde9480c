/**
 * Latency percentiles in constant memory: a log-scale histogram with ~1% wide buckets, so a
 * million-request run costs the same few kilobytes as a ten-request one.
 *
 * @module
 */

const growth = 1.02
const minMs = 0.01
const logGrowth = Math.log(growth)
const bucketCount = Math.ceil(Math.log(3_600_000 / minMs) / logGrowth) + 1

/** A histogram of millisecond latencies. */
export interface LatencyHistogram {
  readonly add: (ms: number) => void
  readonly count: () => number
  readonly max: () => number
  /** The latency at quantile `q` (0–1), within ~1%; 0 when empty. */
  readonly quantile: (q: number) => number
}

const bucketOf = (ms: number) =>
  ms <= minMs ? 0 : Math.min(bucketCount - 1, Math.ceil(Math.log(ms / minMs) / logGrowth))

/** A new, empty histogram. */
export const makeLatencyHistogram = (): LatencyHistogram => {
  const buckets = new Float64Array(bucketCount)
  let total = 0
  let largest = 0
  return {
    add: (ms) => {
      buckets[bucketOf(ms)]! += 1
      total++
      if (ms > largest) largest = ms
    },
    count: () => total,
    max: () => largest,
    quantile: (q) => {
      if (total === 0) return 0
      const rank = Math.max(1, Math.ceil(q * total))
      let seen = 0
      for (let i = 0; i < bucketCount; i++) {
        seen += buckets[i]!
        if (seen >= rank) return Math.min(largest, minMs * Math.pow(growth, i))
      }
      return largest
    }
  }
}
