/**
 * volley's defaults, written once: what a flag, a `VOLLEY_*` variable, a library layer's
 * settings or a workflow's `defaults` leave unset. The CLI's `[default …]` notes and the
 * variables' fallbacks are the same values as text (`defaultText`).
 *
 * @module
 */

export const Defaults = {
  /** Requests in flight at once. */
  concurrency: 10,
  /** One attempt's deadline: headers and body, every redirect hop. */
  timeoutMs: 30_000,
  /** Retries after the first attempt. */
  retries: 3,
  /** The first wait before a retry; each later one doubles. */
  backoffMs: 200,
  /** No single wait is longer. */
  maxBackoffMs: 30_000,
  /** A larger body fails as BodyTooLarge (no limit when bodies are saved to files). */
  maxBodyBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  /**
   * `--cluster`: host buckets, each owned by one runner at a time. Many more than runners: a run's
   * hosts are placed on the least-loaded runner's buckets (cluster/Placement.ts), and a host has a
   * bucket of its own while its runner has an empty one (~340 each at three runners); the hash
   * used when no runner is known evens out only over many buckets (PERFORMANCE.md).
   */
  clusterBuckets: 1024,
  /**
   * `--cluster`: inputs per chunk; a chunk makes one stored batch per bucket it touches. Large
   * enough that a batch holds tens of inputs across many buckets: at ~8 a batch the per-batch
   * storage traffic made one worker 1.97× the embedded run's time (PERFORMANCE.md).
   */
  clusterChunkSize: 20_000
} as const

const msText = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`)
const mib = 1024 * 1024
const sizeText = (bytes: number) => (bytes % mib === 0 ? `${bytes / mib}MiB` : `${bytes}B`)

/** The defaults as flags and `VOLLEY_*` variables write them (`30s`, `200ms`, `10MiB`). */
export const defaultText = {
  timeout: msText(Defaults.timeoutMs),
  backoff: msText(Defaults.backoffMs),
  maxBackoff: msText(Defaults.maxBackoffMs),
  maxBody: sizeText(Defaults.maxBodyBytes)
} as const
