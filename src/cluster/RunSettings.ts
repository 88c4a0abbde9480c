/**
 * How every request of a cluster run is sent, stored with the run so that any worker, on any
 * machine, fetches its batches the way the submitting command line asked.
 *
 * @module
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { Method } from "../domain/RequestSpec.js"
import {
  type FetchOptions,
  makeFetchOptions,
  redactHeaders,
  revealHeaders,
  withSecretHeaders
} from "../http/FetchOptions.js"
import { makePoliteGate } from "../http/PoliteGate.js"
import { parseWorkflow } from "../workflow/WorkflowFile.js"

/** The step's extractor and checks; the workflow compiled when it was submitted, so it compiles here. */
const stepChecks = (step: NonNullable<RunSettings["workflowStep"]>) =>
  parseWorkflow(step.source, step.file, step.vars).pipe(
    Effect.map((workflow) => workflow.steps.find((s) => s.name === step.step)),
    Effect.map((found) => ({ extractor: found?.extractor, expect: found?.expect })),
    Effect.orDie
  )

/** The settings of a run, as stored (JSON): durations in milliseconds. */
export const RunSettings = Schema.Struct({
  timeoutMs: Schema.NonNegative,
  retries: Schema.NonNegativeInt,
  backoffMs: Schema.NonNegative,
  maxBackoffMs: Schema.NonNegative,
  perHost: Schema.optional(Schema.Int.pipe(Schema.positive())),
  method: Method,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  secretHeaders: Schema.Array(Schema.String),
  body: Schema.optional(Schema.String),
  keepBody: Schema.Boolean,
  maxBodyBytes: Schema.Number,
  maxRedirects: Schema.NonNegativeInt,
  maxJsonDepth: Schema.Int.pipe(Schema.positive()),
  decompress: Schema.Boolean,
  includeHeaders: Schema.Boolean,
  /** Send again, after a worker died, requests whose method is not safe to repeat (`--resend-unsafe`). */
  resendUnsafe: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /**
   * For a workflow step (`volley run --cluster`): the workflow's text and the step, so that the
   * worker applies the step's `extract` and `expect` as a local run does.
   */
  workflowStep: Schema.optional(Schema.Struct({
    source: Schema.String,
    file: Schema.String,
    vars: Schema.Record({ key: Schema.String, value: Schema.String }),
    step: Schema.String
  }))
})
export type RunSettings = typeof RunSettings.Type

/**
 * The settings of a run from fetch options (a command line's or a library call's): what the
 * workers can apply. A multipart body and the options they do not carry are refused before
 * (`volley fetch --cluster`, `Volley.layerCluster`).
 */
export const settingsFromFetch = (
  fetch: FetchOptions,
  run: { readonly perHost: number | undefined; readonly resendUnsafe: boolean }
): RunSettings => ({
  timeoutMs: Duration.toMillis(fetch.timeout),
  retries: fetch.retry.retries,
  backoffMs: Duration.toMillis(fetch.retry.backoff),
  maxBackoffMs: Duration.toMillis(fetch.retry.maxBackoff),
  ...(run.perHost === undefined ? {} : { perHost: run.perHost }),
  method: fetch.method,
  headers: revealHeaders(fetch.headers),
  secretHeaders: [...fetch.secretHeaders],
  ...(typeof fetch.body === "string" ? { body: fetch.body } : {}),
  keepBody: fetch.keepBody,
  maxBodyBytes: fetch.maxBodyBytes,
  maxRedirects: fetch.maxRedirects,
  maxJsonDepth: fetch.maxJsonDepth,
  decompress: fetch.decompress,
  includeHeaders: fetch.includeHeaders === true,
  resendUnsafe: run.resendUnsafe
})

/** Methods a server must treat as safe to receive twice (RFC 9110 §9.2.1). */
export const safeMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE"])

/** The settings as JSON text, and back. `Infinity` (no body limit) is kept as -1. */
export const RunSettingsJson = Schema.parseJson(RunSettings)

export const encodeSettings = (settings: RunSettings): string =>
  Schema.encodeSync(RunSettingsJson)({
    ...settings,
    maxBodyBytes: Number.isFinite(settings.maxBodyBytes) ? settings.maxBodyBytes : -1
  })

export const decodeSettings = (text: string) =>
  Effect.map(
    Schema.decodeUnknown(RunSettingsJson)(text),
    (settings): RunSettings => ({
      ...settings,
      maxBodyBytes: settings.maxBodyBytes < 0 ? Infinity : settings.maxBodyBytes
    })
  )

/**
 * The fetch options of a run on a worker, with the gate (per-host limit, learned pauses) that
 * lives as long as `Scope`: one per run and worker, shared by every batch of the run there.
 */
export const fetchOptionsOf = (settings: RunSettings): Effect.Effect<FetchOptions, never, Scope.Scope> =>
  Effect.zipWith(
    makePoliteGate({ rate: undefined, perHost: settings.perHost, maxPause: Duration.millis(settings.maxBackoffMs) }),
    settings.workflowStep === undefined
      ? Effect.succeed({ extractor: undefined, expect: undefined })
      : stepChecks(settings.workflowStep),
    (gate, checks) => {
      const secretHeaders = withSecretHeaders(settings.secretHeaders)
      return makeFetchOptions({
        timeout: Duration.millis(settings.timeoutMs),
        retry: {
          retries: settings.retries,
          backoff: Duration.millis(settings.backoffMs),
          maxBackoff: Duration.millis(settings.maxBackoffMs)
        },
        method: settings.method,
        headers: redactHeaders(settings.headers, secretHeaders),
        secretHeaders,
        body: settings.body,
        keepBody: settings.keepBody,
        maxBodyBytes: settings.maxBodyBytes,
        maxRedirects: settings.maxRedirects,
        maxJsonDepth: settings.maxJsonDepth,
        decompress: settings.decompress,
        includeHeaders: settings.includeHeaders,
        gate,
        extractor: checks.extractor,
        expect: checks.expect
      })
    }
  )
