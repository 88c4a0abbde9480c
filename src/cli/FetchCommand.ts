/**
 * `volley fetch [URL ...] [options]`: the flags, turned into a fetch job.
 *
 * @module
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { homedir } from "node:os"
import { join } from "node:path"
import { Defaults, defaultText } from "../domain/Defaults.js"
import { defaultMaxJsonDepth, maxJsonDepthLimit } from "../domain/ExactJson.js"
import { Method } from "../domain/RequestSpec.js"
import { runOutcome } from "../domain/RunOutcome.js"
import { UsageError } from "../domain/UsageError.js"
import { makeSessionCookies, type SessionCookies } from "../http/CookieJar.js"
import { stripUserinfo } from "../http/Credentials.js"
import { Fetcher, parseHttpUrl } from "../http/Fetcher.js"
import { makeFetchOptions, redactHeaders, withSecretHeaders } from "../http/FetchOptions.js"
import { netrcSource, parseNetrc } from "../http/Netrc.js"
import { makePoliteGate } from "../http/PoliteGate.js"
import type { RetryEvent } from "../http/RetryPolicy.js"
import { defaultSaveName, makeFileNamer, makeResumableNamer, saveNameProblem } from "../http/SaveBody.js"
import { outputFormats } from "../report/OutputFormat.js"
import { acquireOutputLock } from "../report/OutputLock.js"
import { checkWritable, type OutputTarget } from "../report/RecordWriter.js"
import { retryLine } from "../report/RetryLine.js"
import { Stderr, Stdout } from "../report/Stdout.js"
import { fetchClusterOptions } from "./ClusterFlags.js"
import {
  connectionFlagsGiven,
  connectionHelpGroup,
  connectionLayer,
  connectionOptions,
  noDecompressOption,
  workersConnect
} from "./ConnectionFlags.js"
import { dryRunShown, dryRunText } from "./DryRun.js"
import { runFetchJob } from "./FetchJob.js"
import type { CommandHelp } from "./HelpText.js"
import { inputFormats, resolveInput } from "./InputSource.js"
import { lazyModule } from "./LazyModule.js"
import {
  choiceOption,
  durationOption,
  headersOption,
  inputOption,
  invalid,
  optionalPositiveInt,
  optionalSizeOption,
  optionalText,
  positiveIntOption,
  rateOption,
  repeatedText,
  secretHeadersOption,
  urlsArg
} from "./OptionParsers.js"
import { requestBody } from "./RequestBody.js"
import { effectiveConcurrency, maxConcurrency, openFileLimit, openFileWarning } from "./ResourceLimits.js"
import { loadResumeState } from "./ResumeState.js"

/** The flags of `volley fetch`; `Argv` and `HelpText` read them too. */
export const fetchOptions = {
  urls: urlsArg,
  input: inputOption,
  inputFormat: choiceOption("input-format", inputFormats, "text").pipe(
    Options.withPseudoName("FMT"),
    Options.withDescription(
      "text (a URL per line) or ndjson (a request per line: url, method, headers, body or json, id)"
    )
  ),
  concurrency: positiveIntOption("concurrency", Defaults.concurrency, {
    env: "VOLLEY_CONCURRENCY",
    alias: "c",
    max: maxConcurrency
  })
    .pipe(Options.withDescription(`requests in flight at once, at most ${maxConcurrency}`)),
  timeout: durationOption("timeout", defaultText.timeout, "VOLLEY_TIMEOUT", { positive: true, alias: "m" }).pipe(
    Options.withDescription("deadline of one attempt, body included: 500ms, 10s, 2m (-m as in curl)")
  ),
  retries: positiveIntOption("retries", Defaults.retries, { env: "VOLLEY_RETRIES", min: 0, alias: "retry" }).pipe(
    Options.withDescription("retries of transport errors, time-outs, 408/429/500/502/503/504")
  ),
  backoff: durationOption("backoff", defaultText.backoff, "VOLLEY_BACKOFF").pipe(
    Options.withDescription("first wait before a retry; doubles each time, jittered")
  ),
  maxBackoff: durationOption("max-backoff", defaultText.maxBackoff, "VOLLEY_MAX_BACKOFF").pipe(
    Options.withDescription(
      "longest wait before a retry or for a host the server paused; a longer Retry-After or reset fails the records"
    )
  ),
  failFast: Options.boolean("fail-fast").pipe(Options.withDescription("stop at the first failed record")),
  method: Options.text("method").pipe(
    Options.withAlias("X"),
    Options.withPseudoName("METHOD"),
    Options.mapEffect((text) =>
      Either.mapLeft(
        Schema.decodeUnknownEither(Method)(text),
        () => invalid("method", `'${text}' is not an HTTP method (a token: GET, PROPFIND)`)
      )
    ),
    Options.withDescription("HTTP method, any token (PROPFIND, PURGE) [default GET; POST with a body]"),
    Options.optional
  ),
  head: Options.boolean("head").pipe(Options.withAlias("I"), Options.withDescription("send HEAD (as -X HEAD)")),
  headers: headersOption.pipe(Options.withDescription("a request header, repeatable; secret values never printed")),
  secretHeaders: secretHeadersOption.pipe(
    Options.withDescription("a header whose value is secret (redacted, dropped on redirects to another origin)")
  ),
  user: Options.redacted("user").pipe(
    Options.withAlias("u"),
    Options.withPseudoName("USER[:PASS]"),
    Options.withDescription("Basic auth, as curl; USER alone takes the password from VOLLEY_PASSWORD"),
    Options.optional
  ),
  netrc: Options.boolean("netrc").pipe(
    Options.withDescription("logins for hosts from ~/.netrc (curl's rules); a URL's user:pass@ or -u wins")
  ),
  netrcFile: optionalText("netrc-file", "FILE", "as --netrc, from FILE"),
  cookie: optionalText(
    "cookie",
    "FILE|A=B",
    "send cookies: a Cookie header as written (it holds =), or curl's Netscape cookie file",
    "b"
  ),
  cookieJar: optionalText(
    "cookie-jar",
    "FILE",
    "keep cookies for the run, loaded from and saved to FILE in curl's format (no -c: that is --concurrency)"
  ),
  userAgent: optionalText("user-agent", "TEXT", "the User-Agent header [default volley/VERSION]", "A"),
  referer: optionalText("referer", "URL", "the Referer header (no -e: that is --extract)"),
  data: repeatedText("data", "DATA", "body (implies POST); @FILE reads a file (newlines stripped), @- stdin", "d"),
  dataRaw: repeatedText("data-raw", "DATA", "body taken as written (no @FILE)"),
  dataBinary: repeatedText("data-binary", "DATA", "body; @FILE sent byte for byte"),
  dataUrlencode: repeatedText("data-urlencode", "[NAME]=TEXT", "a form field, URL-encoded; NAME@FILE reads a file"),
  form: repeatedText("form", "NAME=VALUE", "a multipart form field; NAME=@FILE sends a file, NAME=<FILE its text", "F"),
  json: repeatedText("json", "JSON", "JSON body; sets Content-Type and Accept to application/json; @FILE, @-"),
  location: Options.boolean("location").pipe(
    Options.withAlias("L"),
    Options.withDescription("accepted for curl's sake: redirects are always followed (see --max-redirects)")
  ),
  extract: optionalText("extract", "QUERY", "JMESPath query on the JSON body; its result is the record's value", "e"),
  select: optionalText("select", "CSS", "CSS selector on an HTML body; the text of the matches is the value"),
  selectAttr: optionalText("select-attr", "NAME", "with --select: take this attribute instead of the text"),
  match: optionalText("match", "REGEX", "regular expression on the text body; the first match's groups"),
  matchAll: Options.boolean("match-all").pipe(Options.withDescription("with --match: every match, as a list")),
  schema: optionalText("schema", "FILE", "JSON Schema the body (or the value, with --schema-on value) must satisfy"),
  schemaOn: choiceOption("schema-on", ["body", "value"] as const).pipe(
    Options.withDescription("what --schema checks [default body]"),
    Options.optional
  ),
  allowEmpty: Options.boolean("allow-empty").pipe(
    Options.withDescription("an extractor that finds nothing gives value null instead of an ExtractError")
  ),
  expectStatus: optionalText(
    "expect-status",
    "LIST",
    "statuses that count as success, instead of 2xx: 200,304 or 2xx or 200-299,404"
  ),
  assert: Options.text("assert").pipe(
    Options.withPseudoName("EXPR"),
    Options.withDescription("JMESPath over {status, headers, body, value, ms} that must be truthy; repeatable"),
    Options.repeated
  ),
  includeHeaders: Options.boolean("include-headers").pipe(
    Options.withDescription("add the last answer's headers to each record (lower-case names; repeats as lists)")
  ),
  timings: Options.boolean("timings").pipe(
    Options.withDescription("add where the last attempt's time went: {dns, connect, tls, ttfb, total} in ms")
  ),
  noBody: Options.boolean("no-body").pipe(Options.withDescription("leave the body out of records")),
  output: optionalText("output", "FILE", "write all records to FILE (one file, not one per URL) [default stdout]", "o"),
  format: choiceOption("format", outputFormats, "ndjson").pipe(
    Options.withDescription("ndjson (streamed), json (one array, written atomically), csv, junit or har")
  ),
  progress: Options.boolean("progress").pipe(
    Options.withDescription("progress bar on stderr [default: on when stderr is a terminal]")
  ),
  noProgress: Options.boolean("no-progress").pipe(Options.withDescription("no progress bar")),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription("one line on stderr per retry: URL, attempt, reason, wait")
  ),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription("print the first requests and the plan; send nothing")
  ),
  batchSize: optionalPositiveInt("batch-size").pipe(
    Options.withDescription("send in batches of N: a batch starts when the previous one is done")
  ),
  maxBody: optionalSizeOption("max-body").pipe(
    Options.withDescription(
      `larger bodies fail with BodyTooLarge, unread: 512KiB, 10MiB; no limit with --save-dir [default ${defaultText.maxBody}]`
    )
  ),
  saveDir: optionalText(
    "save-dir",
    "DIR",
    "stream each successful body to a file in DIR; records get file, bytes, sha256"
  ),
  saveName: optionalText(
    "save-name",
    "TEMPLATE",
    "with --save-dir: file names from {index} {host} {path} {name} {ext} [default {index}-{name}]"
  ),
  maxJsonDepth: positiveIntOption("max-json-depth", defaultMaxJsonDepth, { max: maxJsonDepthLimit }).pipe(
    Options.withDescription(`JSON nested deeper fails its record (DecodeError), unparsed; at most ${maxJsonDepthLimit}`)
  ),
  maxRedirects: positiveIntOption("max-redirects", Defaults.maxRedirects, { min: 0 }).pipe(
    Options.withDescription("redirects followed per request")
  ),
  rate: rateOption("rate").pipe(
    Options.withDescription("at most N requests per second (N/s) or minute (N/m), retries included")
  ),
  perHost: optionalPositiveInt("per-host").pipe(Options.withDescription("at most N requests in flight to one host")),
  adaptive: Options.boolean("adaptive").pipe(
    Options.withDescription("halve concurrency on 429/503/time-outs, grow it back on success")
  ),
  resume: Options.boolean("resume").pipe(
    Options.withDescription("with --output FILE (ndjson): keep the records there, fetch only the missing inputs")
  ),
  retryFailed: Options.boolean("retry-failed").pipe(
    Options.withDescription("with --resume: also fetch again the inputs whose record failed")
  ),
  force: Options.boolean("force").pipe(
    Options.withDescription("with --resume: rewrite the file even if it does not start with a volley record")
  ),
  noDecompress: noDecompressOption,
  ...connectionOptions,
  ...fetchClusterOptions
} as const

/** How `volley fetch --help` groups its flags, and its examples. */
export const fetchHelp: CommandHelp = {
  name: "fetch",
  summary: "fetch URLs concurrently, with retries; one record per URL, in input order",
  usage: "volley fetch [URL ...] [options]",
  groups: [
    ["Input", ["--input", "--input-format"]],
    ["Request", [
      "--method",
      "--head",
      "--header",
      "--secret-header",
      "--user",
      "--netrc",
      "--netrc-file",
      "--cookie",
      "--cookie-jar",
      "--user-agent",
      "--referer",
      "--data",
      "--data-raw",
      "--data-binary",
      "--data-urlencode",
      "--json",
      "--form",
      "--max-body",
      "--max-json-depth",
      "--max-redirects",
      "--location",
      "--no-decompress"
    ]],
    connectionHelpGroup,
    ["Concurrency and politeness", ["--concurrency", "--rate", "--per-host", "--adaptive", "--batch-size"]],
    ["Time-outs and retries", ["--timeout", "--retries", "--backoff", "--max-backoff", "--fail-fast"]],
    ["Checks", ["--expect-status", "--assert"]],
    ["Cluster (see volley worker)", ["--cluster", "--buckets", "--chunk-size", "--resend-unsafe"]],
    ["Extraction", [
      "--extract",
      "--select",
      "--select-attr",
      "--match",
      "--match-all",
      "--schema",
      "--schema-on",
      "--allow-empty"
    ]],
    ["Output", [
      "--output",
      "--format",
      "--no-body",
      "--include-headers",
      "--timings",
      "--save-dir",
      "--save-name",
      "--progress",
      "--no-progress",
      "--resume",
      "--retry-failed",
      "--force",
      "--verbose",
      "--dry-run"
    ]]
  ],
  notes: [
    "URLs: arguments and/or --input lines; {1..100}, {001..100}, {0..100..10} ranges expand.",
    "Durations: 500ms, 10s, 2m (a bare number is seconds). Sizes: 512KiB, 10MiB."
  ],
  examples: [
    [
      "100 URLs, 20 at a time, the first fact of each, without bodies",
      "volley fetch 'http://127.0.0.1:8080/facts/{1..100}' -c 20 -e 'data[0].fact' --no-body"
    ],
    ["URLs from a file, one JSON array written atomically", "volley fetch -i urls.txt --format json -o results.json"],
    ["a JSON POST, as with curl", "volley fetch http://127.0.0.1:8080/echo --json '{\"name\":\"a\"}'"],
    [
      "polite: 5 per second, 2 per host; resume after Ctrl-C",
      "volley fetch -i urls.txt --rate 5 --per-host 2 -o out.ndjson --resume"
    ]
  ]
}

type FetchFlags = Command.Command.ParseConfig<typeof fetchOptions>

/** Runs a parsed `volley fetch`. */
export const fetchHandler = Effect.fn("volley fetch")(function*(flags: FetchFlags) {
  return yield* Effect.scoped(fetchScoped(flags))
})

/**
 * `-u USER:PASS` as a Basic `Authorization` value; `-u USER` takes the password from
 * `VOLLEY_PASSWORD` (so it is not in the shell history or `ps`). The result is redacted with the
 * other secret headers.
 */
const basicAuth = Effect.fnUntraced(function*(user: Redacted.Redacted<string>) {
  const given = Redacted.value(user)
  const colon = given.indexOf(":")
  const password = colon >= 0
    ? given.slice(colon + 1)
    : Option.getOrUndefined(Option.map(
      yield* Config.option(Config.redacted("VOLLEY_PASSWORD")).pipe(Effect.orElseSucceed(() => Option.none())),
      Redacted.value
    ))
  if (password === undefined) {
    return yield* new UsageError({ message: "-u USER without a password: give USER:PASS or set VOLLEY_PASSWORD" })
  }
  const name = colon >= 0 ? given.slice(0, colon) : given
  return `Basic ${Buffer.from(`${name}:${password}`).toString("base64")}`
})

/**
 * The logins `--netrc` (`~/.netrc`, none when there is no such file) or `--netrc-file FILE`
 * (which must exist) give; `undefined` without either flag.
 */
const loginsOf = Effect.fnUntraced(function*(flags: FetchFlags) {
  if (!flags.netrc && Option.isNone(flags.netrcFile)) return undefined
  const fs = yield* FileSystem.FileSystem
  const path = Option.getOrElse(flags.netrcFile, () => join(homedir(), ".netrc"))
  const flag = Option.isSome(flags.netrcFile) ? `--netrc-file ${path}` : `--netrc (${path})`
  const exists = yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false))
  if (!exists) {
    if (Option.isNone(flags.netrcFile)) return undefined
    return yield* new UsageError({ message: `${flag}: no such file` })
  }
  const text = yield* fs.readFileString(path).pipe(
    Effect.mapError((e) => new UsageError({ message: `${flag}: cannot read: ${e.message}` }))
  )
  return netrcSource(parseNetrc(text))
})

/**
 * The run's cookie jar: `-b FILE` (read only) and `--cookie-jar FILE` (read when it exists,
 * written at the end) load curl's Netscape format; none without either (`-b 'a=b'` is a header).
 */
const jarOf = Effect.fnUntraced(function*(flags: FetchFlags) {
  const fromB = Option.filter(flags.cookie, (value) => !value.includes("="))
  if (Option.isNone(fromB) && Option.isNone(flags.cookieJar)) return undefined
  const fs = yield* FileSystem.FileSystem
  const read = (path: string, flag: string, mustExist: boolean) =>
    Effect.gen(function*() {
      const exists = yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false))
      if (!exists) {
        return mustExist ? yield* new UsageError({ message: `${flag} ${path}: no such file` }) : ""
      }
      return yield* fs.readFileString(path).pipe(
        Effect.mapError((e) => new UsageError({ message: `${flag} ${path}: cannot read: ${e.message}` }))
      )
    })
  const texts = [
    Option.isSome(fromB) ? yield* read(fromB.value, "-b", true) : "",
    Option.isSome(flags.cookieJar) ? yield* read(flags.cookieJar.value, "--cookie-jar", false) : ""
  ]
  return makeSessionCookies(texts.join("\n"))
})

/** Writes the jar to `path` (a run's end); a failure to write is said on stderr, not fatal. */
const writeJar = (path: string, jar: SessionCookies) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(path, jar.netscape())).pipe(
    Effect.catchAll((e) =>
      Effect.flatMap(Stderr, (stderr) => stderr.write(`--cookie-jar ${path}: cannot write: ${e.message}\n`))
    ),
    Effect.orElse(() => Effect.void)
  )

/**
 * `--save-dir DIR` (made if missing) and `--save-name TEMPLATE` as the Fetcher's `save`; with
 * `--resume` and no `--output`, also which inputs are saved already (their file is there).
 */
const saveOf = Effect.fnUntraced(function*(flags: FetchFlags, resumeByFiles: boolean) {
  if (Option.isNone(flags.saveDir)) {
    if (Option.isSome(flags.saveName)) return yield* new UsageError({ message: "--save-name needs --save-dir" })
    return undefined
  }
  const dir = flags.saveDir.value
  const template = Option.getOrElse(flags.saveName, () => defaultSaveName)
  const problem = saveNameProblem(template)
  if (problem !== undefined) return yield* new UsageError({ message: `--save-name: ${problem}` })
  if (!flags.dryRun) {
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(dir, { recursive: true }).pipe(
      Effect.mapError((e) => new UsageError({ message: `--save-dir ${dir}: cannot make it: ${e.message}` }))
    )
  }
  if (!resumeByFiles) return { nameFor: makeFileNamer(dir, template) }
  return makeResumableNamer(dir, template)
})

/** The method, headers and body the data and header flags ask for, with curl's rules. */
const requestOf = Effect.fnUntraced(function*(flags: FetchFlags) {
  const body = yield* requestBody(flags)
  const explicit = Option.getOrUndefined(flags.method)
  if (flags.head && explicit !== undefined && explicit !== "HEAD") {
    return yield* new UsageError({ message: `-I/--head and -X ${explicit} ask for different methods` })
  }
  if (body?.fromStdin === true && Option.getOrUndefined(flags.input) === "-") {
    return yield* new UsageError({ message: "standard input can be either --input - or a @- body, not both" })
  }
  const method = flags.head ? "HEAD" : explicit ?? (body === undefined ? "GET" : "POST")
  const headers: Record<string, string> = { ...flags.headers }
  const has = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name)
  if (body !== undefined && !has("content-type")) headers["Content-Type"] = body.contentType
  if (body?.accept !== undefined && !has("accept")) headers["Accept"] = body.accept
  if (Option.isSome(flags.userAgent)) headers["User-Agent"] = flags.userAgent.value
  if (Option.isSome(flags.user)) headers["Authorization"] = yield* basicAuth(flags.user.value)
  if (Option.isSome(flags.referer)) headers["Referer"] = flags.referer.value
  if (Option.isSome(flags.cookie) && flags.cookie.value.includes("=")) headers["Cookie"] = flags.cookie.value
  return { method, headers, body: body?.content }
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
      lazyModule(() => import("./ExtractionFlags.js")),
      ({ buildExtractor }) => buildExtractor({ ...extraction, allowEmpty: flags.allowEmpty })
    )
    : undefined
  // Checks load JMESPath too: only when asked for.
  const expect = Option.isSome(flags.expectStatus) || flags.assert.length > 0
    ? yield* Effect.flatMap(
      lazyModule(() => import("../check/Expectation.js")),
      ({ makeExpectation }) =>
        makeExpectation({ status: Option.getOrUndefined(flags.expectStatus), assert: flags.assert })
    )
    : undefined
  const request = yield* requestOf(flags)
  if (flags.progress && flags.noProgress) {
    return yield* new UsageError({ message: "--progress and --no-progress contradict each other" })
  }
  if (Option.isSome(flags.output) && !flags.dryRun) yield* checkWritable(flags.output.value)
  if (flags.retryFailed && !flags.resume) return yield* new UsageError({ message: "--retry-failed needs --resume" })
  // Without --output, the files of --save-dir are what is resumed: an input whose file is there is done.
  const resumeByFiles = flags.resume && Option.isNone(flags.output) && Option.isSome(flags.saveDir)
  if (flags.resume && !resumeByFiles && (Option.isNone(flags.output) || flags.format !== "ndjson")) {
    return yield* new UsageError({
      message: "--resume needs --output FILE with --format ndjson (the default), or --save-dir DIR"
    })
  }
  if (resumeByFiles && (flags.retryFailed || flags.force)) {
    return yield* new UsageError({
      message: `${
        flags.retryFailed ? "--retry-failed" : "--force"
      } needs --output: with --save-dir alone, every input without its file is fetched again`
    })
  }
  if (flags.force && !flags.resume) return yield* new UsageError({ message: "--force needs --resume" })
  const input = yield* resolveInput(flags.urls, flags.input, flags.inputFormat)
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
  const saving = yield* saveOf(flags, resumeByFiles)
  const isSaved = saving !== undefined && "isSaved" in saving ? saving.isSaved : undefined
  if (isSaved !== undefined && Option.isSome(flags.saveDir)) {
    yield* stderr.write(`resuming: inputs whose file is in ${flags.saveDir.value} are skipped\n`)
  }
  const requests = isSaved !== undefined
    ? Stream.filter(input.requests, ({ index, invalid, request }) => {
      if (invalid !== undefined) return true
      const url = parseHttpUrl(request.url)
      // A URL that is not one is fetched (and fails as it would have); the rest by their file.
      return Either.isLeft(url) || !isSaved(index, url.right)
    })
    : resume === undefined
    ? input.requests
    : Stream.filterEffect(
      input.requests,
      ({ index, request }) =>
        Either.match(resume.isDone(index, stripUserinfo(request.url)), {
          onLeft: (message) => Effect.fail(new UsageError({ message })),
          onRight: (done) => Effect.succeed(!done)
        })
    )
  // On a terminal the bar shows unless the records themselves are printed there.
  const progress = flags.noProgress
    ? false
    : flags.progress || (stderr.isTTY && (Option.isSome(flags.output) || !(yield* Stdout).isTTY))
  const total = progress
    ? Option.map(Option.fromNullable(yield* input.total), (n) => n - (resume?.kept ?? 0))
    : Option.none()
  const target: OutputTarget = Option.isSome(flags.output)
    ? { _tag: "File", path: flags.output.value, append: resume !== undefined, kept: resume?.kept ?? 0 }
    : { _tag: "Stdout" }

  const jar = yield* jarOf(flags)
  const secretHeaders = withSecretHeaders(flags.secretHeaders)
  const fetch = {
    timeout: flags.timeout,
    retry: {
      retries: flags.retries,
      backoff: flags.backoff,
      maxBackoff: flags.maxBackoff,
      onRetry: flags.verbose ? (event: RetryEvent) => stderr.write(retryLine(event)) : undefined
    },
    method: request.method,
    headers: redactHeaders(request.headers, secretHeaders),
    secretHeaders,
    body: request.body,
    extractor,
    keepBody: !flags.noBody,
    maxBodyBytes: Option.getOrElse(
      flags.maxBody,
      () => Option.isSome(flags.saveDir) ? Infinity : Defaults.maxBodyBytes
    ),
    maxRedirects: flags.maxRedirects,
    maxJsonDepth: flags.maxJsonDepth,
    // A saved body is written as sent: volley offers no Accept-Encoding of its own.
    decompress: !flags.noDecompress && Option.isNone(flags.saveDir),
    save: saving,
    expect,
    logins: yield* loginsOf(flags),
    cookies: jar,
    includeHeaders: flags.includeHeaders,
    timings: flags.timings
  }
  if (flags.dryRun) {
    const first = Chunk.toArray(yield* Stream.runCollect(Stream.take(requests, dryRunShown)))
    return yield* (yield* Stdout).write(dryRunText(first, fetch, {
      concurrency: flags.concurrency,
      rate: Option.getOrUndefined(flags.rate),
      perHost: Option.getOrUndefined(flags.perHost),
      adaptive: flags.adaptive,
      batchSize: Option.getOrUndefined(flags.batchSize),
      total: yield* input.total,
      output: Option.getOrUndefined(flags.output),
      format: flags.format
    }))
  }
  if (Option.isSome(flags.cluster)) {
    // Scale-out (issue 16): the workers fetch; this process submits and writes what they store.
    const connecting = connectionFlagsGiven(flags)
    if (connecting.length > 0) return yield* workersConnect(connecting)
    const { clusterFetch } = yield* lazyModule(() => import("./ClusterFetch.js"))
    const given: Array<[boolean, string]> = [
      [wantsExtraction, "extractors"],
      [expect !== undefined, "--expect-status/--assert"],
      [fetch.save !== undefined, "--save-dir"],
      [jar !== undefined, "cookie files"],
      [fetch.logins !== undefined, "--netrc"],
      [Option.isSome(flags.rate), "--rate"],
      [flags.adaptive, "--adaptive"],
      [Option.isSome(flags.batchSize), "--batch-size"],
      [flags.failFast, "--fail-fast"],
      [flags.resume, "--resume"],
      [flags.verbose, "--verbose"]
    ]
    return yield* clusterFetch({
      url: flags.cluster.value,
      buckets: flags.buckets,
      chunkSize: flags.chunkSize,
      resendUnsafe: flags.resendUnsafe,
      requests,
      total: Option.getOrUndefined(total),
      format: flags.format,
      target,
      progress,
      request,
      fetch: makeFetchOptions(fetch),
      perHost: Option.getOrUndefined(flags.perHost),
      unsupported: given.filter(([yes]) => yes).map(([, name]) => name)
    })
  }
  const gate = yield* makePoliteGate({
    rate: Option.getOrUndefined(flags.rate),
    perHost: Option.getOrUndefined(flags.perHost),
    adaptive: flags.adaptive ? concurrency : undefined,
    maxPause: flags.maxBackoff
  })
  // The jar is saved however the run ends (curl writes it at exit too).
  const saveJar = Option.isSome(flags.cookieJar) && jar !== undefined
    ? writeJar(flags.cookieJar.value, jar)
    : Effect.void
  const summary = yield* Effect.ensuring(
    runFetchJob({
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
        fetch: makeFetchOptions({ ...fetch, gate })
      }
    }),
    saveJar
  )
  // On the run's span, when telemetry is exported (each request has its own `volley.fetch` span).
  yield* Effect.annotateCurrentSpan({ "volley.records": summary.total, "volley.failed": summary.failed })
  return yield* runOutcome(summary)
})

export const fetchCommand = Command.make("fetch", fetchOptions, (flags) => fetchHandler(flags)).pipe(
  Command.withDescription("Fetch URLs concurrently, with retries, and write one record per URL in input order"),
  // The HTTP client is the one the connection flags describe (proxy, TLS, HTTP/2, socket).
  Command.provide((flags) => Fetcher.Default.pipe(Layer.provide(connectionLayer(flags))))
)
