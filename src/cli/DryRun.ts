/**
 * `volley fetch --dry-run`: the first requests as they would be sent (secrets redacted) and the
 * plan of the run, without sending anything.
 *
 * @module
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import { formatRate, type Rate } from "../domain/RateText.js"
import type { IndexedRequest } from "../domain/RequestSpec.js"
import { stripUserinfo } from "../http/Credentials.js"
import type { FetchOptions } from "../http/FetchOptions.js"

/** How many requests a dry run shows. */
export const dryRunShown = 5

export interface DryRunPlan {
  readonly concurrency: number
  readonly rate: Rate | undefined
  readonly perHost: number | undefined
  readonly adaptive: boolean
  readonly batchSize: number | undefined
  readonly total: number | undefined
  readonly output: string | undefined
  readonly format: string
}

type Sent = Pick<FetchOptions, "method" | "headers" | "body" | "timeout" | "retry" | "maxBodyBytes" | "maxRedirects">

const headerLine = (name: string, value: string | Redacted.Redacted<string>) =>
  `  ${name}: ${Redacted.isRedacted(value) ? "<redacted>" : value}`

/** The text of a dry run: each shown request, then the plan. */
export const dryRunText = (requests: ReadonlyArray<IndexedRequest>, options: Sent, plan: DryRunPlan): string => {
  const lines: Array<string> = []
  for (const { index, request } of requests) {
    const body = request.body ?? options.body
    lines.push(`#${index} ${request.method ?? options.method} ${stripUserinfo(request.url)}`)
    if (stripUserinfo(request.url) !== request.url) lines.push("  Authorization: <redacted> (from the URL)")
    for (const [name, value] of Object.entries({ ...options.headers, ...request.headers })) {
      lines.push(headerLine(name, value))
    }
    if (body !== undefined) lines.push(`  (body: ${Buffer.byteLength(body)} bytes)`)
  }
  const total = plan.total ?? "an unknown number of"
  const shown = requests.length < (plan.total ?? Infinity) ? ` (the first ${requests.length} shown)` : ""
  const politeness = [
    plan.rate === undefined ? undefined : `at most ${formatRate(plan.rate)}`,
    plan.perHost === undefined ? undefined : `${plan.perHost} per host`,
    plan.adaptive ? "adaptive" : undefined,
    plan.batchSize === undefined ? undefined : `in batches of ${plan.batchSize}`
  ].filter((part) => part !== undefined)
  lines.push(
    "",
    `plan: ${total} requests${shown}, ${plan.concurrency} at a time${
      politeness.length > 0 ? ", " + politeness.join(", ") : ""
    }`,
    `  each attempt ${Duration.format(options.timeout)} at most; ${options.retry.retries} retries of transient ` +
      `failures, first wait ${Duration.format(options.retry.backoff)}, longest ${
        Duration.format(options.retry.maxBackoff)
      }`,
    `  bodies up to ${options.maxBodyBytes} bytes; ${options.maxRedirects} redirects at most`,
    `  records as ${plan.format} to ${plan.output ?? "stdout"}`,
    "nothing was sent (--dry-run)"
  )
  return lines.join("\n") + "\n"
}
