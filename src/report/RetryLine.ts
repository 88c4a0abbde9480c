/**
 * `--verbose`: one line on stderr per retry, saying which URL, which attempt, why, and the wait.
 *
 * @module
 */
import { formatMillis } from "../domain/DurationText.js"
import type { RetryEvent } from "../http/RetryPolicy.js"

const wait = (ms: number) => formatMillis(ms, { secondDigits: 1 })

/** `retry 2/4 http://…/flaky: StatusError: HTTP 503 Service Unavailable (after 203 ms)`. */
export const retryLine = (event: RetryEvent): string =>
  `retry ${event.attempt}/${event.of} ${event.url}: ${event.error._tag}: ${event.error.message} (after ${
    wait(event.waitedMs)
  })\n`
