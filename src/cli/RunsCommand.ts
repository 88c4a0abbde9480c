/**
 * `volley runs list | status RUN | results RUN | cancel RUN` and `volley cluster migrate | status`: the
 * cluster's runs and their records, read from its database (no worker needed).
 *
 * @module
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { SomeRecordsFailed } from "../domain/RunOutcome.js"
import { UsageError } from "../domain/UsageError.js"
import { outputFormats } from "../report/OutputFormat.js"
import { checkWritable, type OutputTarget } from "../report/RecordWriter.js"
import { Stdout } from "../report/Stdout.js"
import { setUpFailure } from "./ClusterFetch.js"
import { clusterOption, clusterUrl } from "./ClusterFlags.js"
import { writeRecordJob } from "./FetchJob.js"
import type { CommandHelp } from "./HelpText.js"
import { lazyModule } from "./LazyModule.js"
import { choiceOption, optionalText } from "./OptionParsers.js"

const runsActions = ["list", "status", "results", "cancel"] as const

export const runsOptions = {
  action: Args.text({ name: "list|status|results|cancel" }),
  run: Args.text({ name: "RUN" }).pipe(Args.optional),
  cluster: clusterOption,
  output: optionalText("output", "FILE", "with results: write the records to FILE [default stdout]", "o"),
  format: choiceOption("format", outputFormats, "ndjson").pipe(
    Options.withDescription("with results: ndjson, json, csv or junit")
  ),
  noFollow: Options.boolean("no-follow").pipe(
    Options.withDescription("with results: only the records stored so far (in order), not wait for the rest")
  )
} as const

export const runsHelp: CommandHelp = {
  name: "runs",
  summary: "the cluster's runs: list them, show one's progress, write its records, cancel one",
  usage: "volley runs list | status RUN | results RUN [-o FILE] | cancel RUN --cluster postgres://…",
  groups: [["Runs", ["--cluster", "--output", "--format", "--no-follow"]]],
  examples: [
    ["every run, newest first", "volley runs list --cluster postgres://volley@db/volley"],
    [
      "re-attach: the records of a run, in order, as they are stored",
      "volley runs results RUN -o out.ndjson --cluster …"
    ],
    ["stop a run: workers skip its remaining batches", "volley runs cancel RUN --cluster …"]
  ]
}

type RunsFlags = Command.Command.ParseConfig<typeof runsOptions>

const progressLine = (
  run: { id: string; total: number | undefined; stored: number; failed: number; createdAt: string; cancelled: boolean }
) =>
  `${run.id}  ${run.createdAt}  ${run.stored}/${run.total ?? "?"} stored${
    run.failed > 0 ? `, ${run.failed} failed` : ""
  }${run.total !== undefined && run.stored >= run.total ? "  done" : run.cancelled ? "  cancelled" : ""}\n`

const runsHandler = Effect.fnUntraced(function*(flags: RunsFlags) {
  if (!(runsActions as ReadonlyArray<string>).includes(flags.action)) {
    return yield* new UsageError({ message: `volley runs: '${flags.action}' is not list, status, results or cancel` })
  }
  if (Option.isNone(flags.cluster)) return yield* new UsageError({ message: "volley runs needs --cluster URL" })
  const url = yield* clusterUrl(flags.cluster.value)
  const cluster = yield* lazyModule(() => import("./ClusterModules.js"))
  const stdout = yield* Stdout
  const program = Effect.gen(function*() {
    yield* cluster.ensureSchema
    if (flags.action === "list") {
      const runs = yield* cluster.listRuns
      return yield* stdout.write(runs.length === 0 ? "no runs\n" : runs.map(progressLine).join(""))
    }
    if (Option.isNone(flags.run)) return yield* new UsageError({ message: `volley runs ${flags.action} needs RUN` })
    const id = flags.run.value
    const run = yield* cluster.findRun(id)
    if (run === undefined) return yield* new UsageError({ message: `no run ${id} in ${cluster.safeUrl(url)}` })
    if (flags.action === "status") return yield* stdout.write(progressLine(run))
    if (flags.action === "cancel") {
      yield* cluster.cancelRun(id)
      return yield* stdout.write(
        `run ${id} cancelled: workers skip its remaining batches (${run.stored}/${run.total ?? "?"} stored)\n`
      )
    }
    if (Option.isSome(flags.output)) yield* checkWritable(flags.output.value)
    const target: OutputTarget = Option.isSome(flags.output)
      ? { _tag: "File", path: flags.output.value, append: false, kept: 0 }
      : { _tag: "Stdout" }
    const summary = yield* writeRecordJob({
      total: run.total,
      format: flags.format,
      target,
      progress: false,
      summary: false,
      batchSize: undefined,
      fetch: (yield* lazyModule(() => import("../http/FetchOptions.js"))).defaultFetchOptions,
      records: () => cluster.runRecords(id, { follow: !flags.noFollow })
    })
    if (summary.failed > 0) {
      return yield* new SomeRecordsFailed({
        failed: summary.failed,
        total: summary.total,
        message: `${summary.failed} of ${summary.total} failed`
      })
    }
  })
  return yield* program.pipe(Effect.provide(cluster.pgLayer(url)), setUpFailure)
})

export const runsCommand = Command.make("runs", runsOptions, runsHandler).pipe(
  Command.withDescription("List the cluster's runs, show one's progress, or write its records")
)

const clusterActions = ["migrate", "status"] as const

export const clusterOptions = {
  action: Args.text({ name: "migrate|status" }),
  cluster: clusterOption
} as const

export const clusterHelp: CommandHelp = {
  name: "cluster",
  summary: "the cluster itself: create its tables (migrate), show its workers and runs (status)",
  usage: "volley cluster migrate | status --cluster postgres://…",
  groups: [["Cluster", ["--cluster"]]],
  examples: [["workers, shards and runs", "volley cluster status --cluster postgres://volley@db/volley"]]
}

type ClusterFlags = Command.Command.ParseConfig<typeof clusterOptions>

const clusterHandler = Effect.fnUntraced(function*(flags: ClusterFlags) {
  if (!(clusterActions as ReadonlyArray<string>).includes(flags.action)) {
    return yield* new UsageError({ message: `volley cluster: '${flags.action}' is not migrate or status` })
  }
  if (Option.isNone(flags.cluster)) return yield* new UsageError({ message: "volley cluster needs --cluster URL" })
  const url = yield* clusterUrl(flags.cluster.value)
  const cluster = yield* lazyModule(() => import("./ClusterModules.js"))
  const stdout = yield* Stdout
  if (flags.action === "migrate") {
    // Joining as a client runs @effect/cluster's own migrations; volley's tables follow.
    return yield* Effect.gen(function*() {
      yield* cluster.ensureSchema
      yield* stdout.write(`the cluster tables of ${cluster.safeUrl(url)} are up to date\n`)
    }).pipe(Effect.provide(cluster.clientLayer(url, process.env)), Effect.scoped, setUpFailure)
  }
  return yield* Effect.gen(function*() {
    yield* cluster.ensureSchema
    const runners = yield* cluster.clusterRunners
    const runs = yield* cluster.listRuns
    const lines = [
      `workers: ${runners.length}`,
      ...runners.map((row) => `  ${row.address}  ${row.healthy ? "healthy" : "unhealthy"}  last seen ${row.lastSeen}`),
      `runs: ${runs.length}`
    ]
    yield* stdout.write(lines.join("\n") + "\n" + runs.map((run) => "  " + progressLine(run)).join(""))
  }).pipe(Effect.provide(cluster.pgLayer(url)), setUpFailure)
})

export const clusterCommand = Command.make("cluster", clusterOptions, clusterHandler).pipe(
  Command.withDescription("Create the cluster's tables, or show its workers and runs")
)
