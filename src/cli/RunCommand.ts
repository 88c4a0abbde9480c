/**
 * `volley run FILE`: a workflow of dependent and fan-out steps.
 *
 * @module
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { stringifyJson } from "../domain/ExactJson.js"
import { SomeRecordsFailed } from "../domain/RunOutcome.js"
import { UsageError } from "../domain/UsageError.js"
import { Fetcher } from "../http/Fetcher.js"
import { writeFileAtomically } from "../report/AtomicFile.js"
import { checkWritable } from "../report/RecordWriter.js"
import { Stdout } from "../report/Stdout.js"
import { Stderr } from "../report/Stdout.js"
import type { Workflow } from "../workflow/Workflow.js"
import { setUpFailure } from "./ClusterFetch.js"
import { clusterOption, clusterUrl } from "./ClusterFlags.js"
import {
  connectionFlagsGiven,
  connectionHelpGroup,
  connectionLayer,
  connectionOptions,
  workersConnect
} from "./ConnectionFlags.js"
import type { CommandHelp } from "./HelpText.js"
import { lazyModule } from "./LazyModule.js"
import { choiceOption, optionalText } from "./OptionParsers.js"

/** The flags of `volley run`. */
export const runOptions = {
  file: Args.text({ name: "workflow.yaml" }).pipe(Args.withDescription("the workflow file (YAML or JSON)")),
  vars: Options.text("var").pipe(
    Options.withPseudoName("KEY=VALUE"),
    Options.withDescription("set a variable (overrides the file's vars), repeatable"),
    Options.repeated
  ),
  output: optionalText("output", "FILE", "write the JSON result to FILE", "o"),
  format: choiceOption("format", ["text", "json"] as const, "text").pipe(Options.withDescription("text or json")),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the plan and send nothing")),
  failFast: Options.boolean("fail-fast").pipe(Options.withDescription("stop everything at the first failed step")),
  cluster: clusterOption,
  id: optionalText("id", "KEY", "with --cluster: the execution's key; the same key twice runs once"),
  ...connectionOptions
} as const

/** How `volley run --help` reads. */
export const runHelp: CommandHelp = {
  name: "run",
  summary: "run a workflow of dependent and fan-out steps; independent steps run concurrently",
  usage: "volley run WORKFLOW.yaml [options]",
  groups: [
    ["Workflow", ["--var", "--dry-run", "--fail-fast"]],
    ["Output", ["--output", "--format"]],
    ["Cluster", ["--cluster", "--id"]],
    connectionHelpGroup
  ],
  examples: [
    ["users, then each user's posts (against volley serve)", "volley run examples/workflows/posts-of-users.yaml"],
    ["set a variable, print the plan only", "volley run flow.yaml --var base=http://127.0.0.1:8080 --dry-run"],
    ["the whole result as JSON in a file", "volley run flow.yaml --format json -o result.json"]
  ]
}

const parseVars = (pairs: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const vars: Record<string, string> = {}
    for (const pair of pairs) {
      const eq = pair.indexOf("=")
      if (eq <= 0) return yield* new UsageError({ message: `--var ${pair}: expected KEY=VALUE` })
      vars[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    return vars
  })

/**
 * The workflow as an execution on the cluster's workers (src/cluster/WorkflowExecution.ts); the
 * same result as a local run. Steps that write files (`save:`) would write them on the workers.
 */
const onCluster = Effect.fnUntraced(function*(
  text: string,
  flags: Command.Command.ParseConfig<typeof runOptions>,
  workflow: Workflow
) {
  const url = yield* clusterUrl(text)
  const given = connectionFlagsGiven(flags)
  if (given.length > 0) return yield* workersConnect(given)
  const saving = workflow.steps.find((step) => step.save !== undefined)
  if (saving !== undefined) {
    return yield* new UsageError({ message: `--cluster does not take a step with save: yet (step '${saving.name}')` })
  }
  const cluster = yield* lazyModule(() => import("./ClusterModules.js"))
  if (Option.isSome(flags.id) && flags.id.value.trim() === "") {
    return yield* new UsageError({ message: "--id: the execution key must not be empty" })
  }
  const key = Option.getOrElse(flags.id, cluster.newExecutionKey)
  yield* (yield* Stderr).write(
    `volley: workflow execution ${key} on ${
      cluster.safeUrl(url)
    } (again: volley run ${flags.file} --cluster URL --id ${key})\n`
  )
  // The workers compile the document this process read (the workflow keeps its text and --var values).
  return yield* cluster.executeWorkflow(cluster.executionPayload(workflow, key, flags.failFast)).pipe(
    Effect.provide(cluster.workflowClientLayer.pipe(Layer.provideMerge(cluster.clientLayer(url, process.env)))),
    setUpFailure
  )
})

export const runCommand = Command.make("run", runOptions, (flags) =>
  Effect.gen(function*() {
    const [{ loadWorkflowFile }, { workflowPlan, workflowText }, { runWorkflowSteps }, { workflowOutput }] =
      yield* lazyModule(() =>
        Promise.all([
          import("../workflow/WorkflowFile.js"),
          import("../workflow/WorkflowReport.js"),
          import("../workflow/WorkflowRunner.js"),
          import("../workflow/WorkflowOutput.js")
        ])
      )
    const workflow = yield* loadWorkflowFile(flags.file, yield* parseVars(flags.vars))
    const stdout = yield* Stdout
    if (flags.dryRun) return yield* stdout.write(workflowPlan(workflow))
    if (Option.isSome(flags.output)) yield* checkWritable(flags.output.value)
    const result = Option.isSome(flags.cluster)
      ? yield* onCluster(flags.cluster.value, flags, workflow)
      : yield* runWorkflowSteps(workflow, { failFast: flags.failFast })
    const json = stringifyJson(workflowOutput(result)) ?? "null"
    if (Option.isSome(flags.output)) {
      yield* writeFileAtomically(flags.output.value, json + "\n").pipe(
        Effect.mapError((e) =>
          new UsageError({ message: `--output ${flags.output.pipe(Option.getOrElse(() => ""))}: ${e.message}` })
        )
      )
    }
    // With --output the JSON goes to the file only; the text table still goes to the terminal.
    if (flags.format === "text") yield* stdout.write(workflowText(result))
    else if (Option.isNone(flags.output)) yield* stdout.write(json + "\n")
    const failed = Object.values(result.steps).filter((s) => s.status !== "ok").length
    if (failed > 0) {
      return yield* new SomeRecordsFailed({
        failed,
        total: Object.keys(result.steps).length,
        message: `${failed} steps did not succeed`
      })
    }
  })).pipe(
    Command.withDescription("Run a workflow of dependent and fan-out steps; independent steps run concurrently"),
    // The HTTP client is the one the connection flags describe (proxy, TLS, HTTP/2, socket).
    Command.provide((flags) => Fetcher.Default.pipe(Layer.provide(connectionLayer(flags))))
  )
