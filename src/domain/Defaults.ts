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
  /** `--cluster`: host buckets, each owned by one runner at a time. */
  clusterBuckets: 64,
  /**
   * `--cluster`: inputs per chunk; a chunk makes one stored batch per bucket it touches. 5,000
   * over 64 buckets is ~80 inputs a batch: at 500 (~8 a batch) the per-batch storage traffic
   * made one worker 1.97× the embedded run's time, at 5,000 1.17× (PERFORMANCE.md).
   */
  clusterChunkSize: 5_000
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
