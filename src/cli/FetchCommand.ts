/**
 * `volley fetch [URL ...] [options]`: the flags, turned into a fetch job.
 *
 * @module
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { makeFetchOptions, redactHeaders, withSecretHeaders } from "../domain/FetchOptions.js"
import { Method } from "../domain/RequestSpec.js"
import { Interrupted, SomeRecordsFailed } from "../domain/RunOutcome.js"
import { UsageError } from "../domain/UsageError.js"
import { runFetchJob } from "../engine/FetchJob.js"
import { loadResumeState } from "../engine/ResumeState.js"
import { Fetcher } from "../http/Fetcher.js"
import { makePoliteGate } from "../http/PoliteGate.js"
import { acquireOutputLock } from "../report/OutputLock.js"
import { formats } from "../report/RecordFormat.js"
import { checkWritable, type OutputTarget } from "../report/RecordWriter.js"
import { Stderr } from "../report/Stdout.js"
import { resolveInput } from "./InputSource.js"
import { lazyModule } from "./LazyModule.js"
import {
  choiceOption,
  durationOption,
  headersOption,
  inputOption,
  optionalPositiveInt,
  optionalText,
  positiveIntOption,
  rateOption,
  secretHeadersOption,
  sizeOption,
  urlsArg
} from "./OptionParsers.js"
import { effectiveConcurrency, maxConcurrency, openFileLimit, openFileWarning } from "./ResourceLimits.js"

const options = {
  urls: urlsArg,
  input: inputOption,
  concurrency: positiveIntOption("concurrency", 10, { env: "VOLLEY_CONCURRENCY", alias: "c", max: maxConcurrency })
    .pipe(
      Options.withDescription(`requests in flight at once, at most ${maxConcurrency} (env VOLLEY_CONCURRENCY)`)
    ),
  timeout: durationOption("timeout", "30s", "VOLLEY_TIMEOUT", { positive: true }).pipe(
    Options.withDescription("deadline of one attempt, body included: 500ms, 10s, 2m (env VOLLEY_TIMEOUT)")
  ),
  retries: positiveIntOption("retries", 3, { env: "VOLLEY_RETRIES", min: 0 }).pipe(
    Options.withDescription("retries of transient failures: transport errors, time-outs, 408/429/500/502/503/504")
  ),
  backoff: durationOption("backoff", "200ms", "VOLLEY_BACKOFF").pipe(
    Options.withDescription("first wait before a retry; doubles each time, jittered")
  ),
  maxBackoff: durationOption("max-backoff", "30s", "VOLLEY_MAX_BACKOFF").pipe(
    Options.withDescription("longest wait before a retry; a longer Retry-After ends the retries")
  ),
  failFast: Options.boolean("fail-fast").pipe(Options.withDescription("stop at the first failed record")),
  method: Options.text("method").pipe(
    Options.withAlias("X"),
    Options.withDefault("GET"),
    Options.withSchema(Method),
    Options.withDescription("HTTP method")
  ),
  headers: headersOption.pipe(Options.withDescription("a request header, repeatable")),
  secretHeaders: secretHeadersOption.pipe(
    Options.withDescription(
      "a header whose value is a secret (redacted, dropped on cross-origin redirects), on top of " +
        "Authorization, Cookie, X-Api-Key and the others; repeatable"
    )
  ),
  data: optionalText("data", "BODY", "request body; @FILE reads it from a file", "d"),
  extract: optionalText("extract", "QUERY", "JMESPath query on the JSON body; its result is the record's value", "e"),
  select: optionalText("select", "CSS", "CSS selector on an HTML body; the text of the matches is the record's value"),
  selectAttr: optionalText("select-attr", "NAME", "with --select: take this attribute instead of the text"),
  match: optionalText("match", "REGEX", "regular expression on the text body; the first match's groups are the value"),
  matchAll: Options.boolean("match-all").pipe(Options.withDescription("with --match: every match, as a list")),
  schema: optionalText(
    "schema",
    "FILE",
    "JSON Schema the JSON body (or the value, with --schema-on value) must satisfy"
  ),
  schemaOn: choiceOption("schema-on", ["body", "value"] as const).pipe(
    Options.withDescription("what --schema checks"),
    Options.optional
  ),
  noBody: Options.boolean("no-body").pipe(Options.withDescription("leave the body out of records")),
  output: optionalText("output", "FILE", "write records to FILE instead of stdout", "o"),
  format: choiceOption("format", formats, "ndjson").pipe(
    Options.withDescription("ndjson (streamed), json (one array, written atomically) or csv")
  ),
  progress: Options.boolean("progress", { negationNames: ["no-progress"] }).pipe(
    Options.withDescription("progress bar on stderr (default: on when stderr is a terminal)"),
    Options.optional
  ),
  batchSize: optionalPositiveInt("batch-size").pipe(
    Options.withDescription("send in batches of N: a batch starts when the previous one is done")
  ),
  maxBody: sizeOption("max-body", "10MiB").pipe(
    Options.withDescription("larger bodies fail with BodyTooLarge, unread: 512KiB, 10MiB")
  ),
  maxRedirects: positiveIntOption("max-redirects", 5, { min: 0 }).pipe(
    Options.withDescription("redirects followed per request")
  ),
  rate: rateOption("rate").pipe(
    Options.withDescription("at most N requests per second (N/s) or minute (N/m), retries included, shared by all")
  ),
  perHost: optionalPositiveInt("per-host").pipe(Options.withDescription("at most N requests in flight to one host")),
  adaptive: Options.boolean("adaptive").pipe(
    Options.withDescription("halve concurrency on 429/503/time-outs, grow it back on success, up to --concurrency")
  ),
  resume: Options.boolean("resume").pipe(
    Options.withDescription(
      "with --output FILE (ndjson): keep the records already there, fetch only the missing inputs"
    )
  ),
  retryFailed: Options.boolean("retry-failed").pipe(
    Options.withDescription("with --resume: also fetch again the inputs whose record failed")
  ),
  force: Options.boolean("force").pipe(
    Options.withDescription("with --resume: rewrite the file even if it does not start with a volley record")
  )
} as const

/** Reads `--data`: the text itself, or the contents of a file when it starts with `@`. */
const readData = (data: Option.Option<string>) =>
  Effect.gen(function*() {
    if (Option.isNone(data)) return undefined
    if (!data.value.startsWith("@")) return data.value
    const path = data.value.slice(1)
    const fs = yield* FileSystem.FileSystem
    return yield* fs.readFileString(path).pipe(
      Effect.mapError(() => new UsageError({ message: `--data @${path}: cannot read the file` }))
    )
  })

type FetchFlags = Command.Command.ParseConfig<typeof options>

/** Runs a parsed `volley fetch`. */
export const fetchHandler = Effect.fn("volley.fetch")(function*(flags: FetchFlags) {
  return yield* Effect.scoped(fetchScoped(flags))
})

const fetchScoped = Effect.fnUntraced(function*(flags: FetchFlags) {
  const stderr = yield* Stderr
  const extraction = {
    extract: Option.getOrUndefined(flags.extract),
    select: Option.getOrUndefined(flags.select),
    selectAttr: Option.getOrUndefined(flags.selectAttr),
    match: Option.getOrUndefined(flags.match),
    matchAll: flags.matchAll,
    schema: Option.getOrUndefined(flags.schema),
    schemaOn: Option.getOrUndefined(flags.schemaOn)
  }
  // The extractors' libraries (JMESPath, cheerio, Ajv) load only when a flag asks for one.
  const wantsExtraction = Object.values(extraction).some((value) => value !== undefined && value !== false)
  const extractor = wantsExtraction
    ? yield* Effect.flatMap(
      lazyModule(() => import("../extract/ExtractorChain.js")),
      ({ buildExtractor }) => buildExtractor(extraction)
    )
    : undefined
  const body = yield* readData(flags.data)
  if (Option.isSome(flags.output)) yield* checkWritable(flags.output.value)
  if (flags.retryFailed && !flags.resume) return yield* new UsageError({ message: "--retry-failed needs --resume" })
  if (flags.resume && (Option.isNone(flags.output) || flags.format !== "ndjson")) {
    return yield* new UsageError({ message: "--resume needs --output FILE with --format ndjson (the default)" })
  }
  if (flags.force && !flags.resume) return yield* new UsageError({ message: "--force needs --resume" })
  const input = yield* resolveInput(flags.urls, flags.input)
  // One writer per output: held from before the file is read until the run has closed it.
  if (Option.isSome(flags.output)) yield* acquireOutputLock(flags.output.value)
  const resume = flags.resume && Option.isSome(flags.output)
    ? yield* loadResumeState(flags.output.value, {
      retryFailed: flags.retryFailed,
      total: yield* input.total,
      force: flags.force
    })
    : undefined
  if (resume !== undefined) {
    const again = resume.dropped - resume.outside
    yield* stderr.write(
      `resuming: ${resume.kept} records kept${again > 0 ? `, ${again} to fetch again` : ""}${
        resume.outside > 0 ? `, ${resume.outside} outside the input dropped` : ""
      }\n`
    )
  }
  const fileLimit = yield* openFileLimit
  const warning = openFileWarning(flags.concurrency, fileLimit)
  if (warning !== undefined) yield* stderr.write(warning)
  // Past the open-file limit, more in flight only means connections failing with EMFILE.
  const concurrency = effectiveConcurrency(flags.concurrency, fileLimit)
  const requests = resume === undefined
    ? input.requests
    : Stream.filterEffect(input.requests, ({ index, request }) =>
      Either.match(resume.isDone(index, request.url), {
        onLeft: (message) => Effect.fail(new UsageError({ message })),
        onRight: (done) => Effect.succeed(!done)
      }))
  const progress = Option.getOrElse(flags.progress, () => stderr.isTTY)
  const total = progress
    ? Option.map(Option.fromNullable(yield* input.total), (n) => n - (resume?.kept ?? 0))
    : Option.none()
  const target: OutputTarget = Option.isSome(flags.output)
    ? { _tag: "File", path: flags.output.value, append: resume !== undefined, kept: resume?.kept ?? 0 }
    : { _tag: "Stdout" }

  const secretHeaders = withSecretHeaders(flags.secretHeaders)
  const gate = yield* makePoliteGate({
    rate: Option.getOrUndefined(flags.rate),
    perHost: Option.getOrUndefined(flags.perHost),
    adaptive: flags.adaptive ? concurrency : undefined
  })
  const summary = yield* runFetchJob({
    inputs: requests,
    total: Option.getOrUndefined(total),
    format: flags.format,
    target,
    progress,
    summary: true,
    run: {
      concurrency,
      failFast: flags.failFast,
      batchSize: Option.getOrUndefined(flags.batchSize),
      fetch: makeFetchOptions({
        timeout: flags.timeout,
        retry: { retries: flags.retries, backoff: flags.backoff, maxBackoff: flags.maxBackoff },
        method: flags.method,
        headers: redactHeaders(flags.headers, secretHeaders),
        secretHeaders,
        body,
        extractor,
        keepBody: !flags.noBody,
        maxBodyBytes: flags.maxBody,
        maxRedirects: flags.maxRedirects,
        gate
      })
    }
  })
  if (summary.interrupted) {
    return yield* new Interrupted({ message: `interrupted after ${summary.total} records` })
  }
  if (summary.failed > 0) {
    return yield* new SomeRecordsFailed({
      failed: summary.failed,
      total: summary.total,
      message: `${summary.failed} of ${summary.total} failed`
    })
  }
})

export const fetchCommand = Command.make("fetch", options, (flags) => fetchHandler(flags)).pipe(
  Command.withDescription("Fetch URLs concurrently, with retries, and write one record per URL in input order"),
  Command.provide(Fetcher.Default)
)
