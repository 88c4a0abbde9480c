/**
 * `volley compare [URL ...]`: sequential vs concurrent (vs batched), timed.
 *
 * @module
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Defaults, defaultText } from "../domain/Defaults.js"
import { compareModes, TransportFactory } from "../engine/Compare.js"
import { undiciLayer } from "../http/TransportLayer.js"
import { compareJson, compareText } from "../report/CompareReport.js"
import { Stdout } from "../report/Stdout.js"
import { connectionHelpGroup, connectionOptions, noDecompressOption, poolOptionsFrom } from "./ConnectionFlags.js"
import type { CommandHelp } from "./HelpText.js"
import { resolveInput } from "./InputSource.js"
import {
  choiceOption,
  durationOption,
  inputOption,
  optionalPositiveInt,
  positiveIntOption,
  urlsArg
} from "./OptionParsers.js"

/** The flags of `volley compare`. */
export const compareOptions = {
  urls: urlsArg,
  input: inputOption,
  concurrency: positiveIntOption("concurrency", Defaults.concurrency, { env: "VOLLEY_CONCURRENCY", alias: "c" }).pipe(
    Options.withDescription("requests in flight in the concurrent and batched runs")
  ),
  batchSize: optionalPositiveInt("batch-size").pipe(Options.withDescription("add a run in batches of N")),
  timeout: durationOption("timeout", defaultText.timeout, "VOLLEY_TIMEOUT").pipe(
    Options.withDescription("deadline of one attempt")
  ),
  retries: positiveIntOption("retries", 0, { min: 0 }).pipe(
    Options.withDescription("retries of transient failures (default 0: time the plain requests)")
  ),
  format: choiceOption("format", ["text", "json"] as const, "text").pipe(Options.withDescription("text or json")),
  noDecompress: noDecompressOption,
  ...connectionOptions
} as const

/** How `volley compare --help` reads. */
export const compareHelp: CommandHelp = {
  name: "compare",
  summary: "time the same URLs fetched sequentially, concurrently and in batches",
  usage: "volley compare [URL ...] [options]",
  groups: [
    ["Input", ["--input"]],
    ["Runs", ["--concurrency", "--batch-size", "--timeout", "--retries", "--no-decompress"]],
    ["Output", ["--format"]],
    connectionHelpGroup
  ],
  examples: [
    [
      "100 slow answers: sequential vs 20 at a time vs batches of 10",
      "volley compare 'http://127.0.0.1:8080/facts/{1..100}?delay=200' -c 20 --batch-size 10"
    ],
    [
      "the same through a proxy, with retries counted in",
      "volley compare -i urls.txt -c 50 --retries 2 -x http://127.0.0.1:3128"
    ],
    ["as JSON, for a script", "volley compare -i urls.txt --format json"]
  ]
}

export const compareCommand = Command.make("compare", compareOptions, (flags) =>
  Effect.gen(function*() {
    const input = yield* resolveInput(flags.urls, flags.input)
    const urls = Chunk.toArray(yield* Stream.runCollect(input.requests)).map((r) => r.request.url)
    const result = yield* compareModes(urls, {
      concurrency: flags.concurrency,
      batchSize: Option.getOrUndefined(flags.batchSize),
      fetch: {
        timeout: flags.timeout,
        retry: { retries: flags.retries, backoff: "200 millis", maxBackoff: "30 seconds" },
        decompress: !flags.noDecompress
      }
    })
    const stdout = yield* Stdout
    yield* stdout.write(flags.format === "json" ? JSON.stringify(compareJson(result)) + "\n" : compareText(result))
  })).pipe(
    Command.withDescription("Time the same URLs fetched sequentially, concurrently and in batches"),
    // Each mode gets a fresh transport of the kind the connection flags describe.
    Command.provide((flags) => Layer.effect(TransportFactory, Effect.map(poolOptionsFrom(flags), undiciLayer)))
  )
