/**
 * `volley worker --cluster URL`: a cluster runner. It owns some host buckets and fetches their
 * batches until stopped; SIGTERM (or Ctrl-C) drains it — batches in hand finish, the rest go to
 * the other workers — and it leaves the cluster.
 *
 * @module
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { UsageError } from "../domain/UsageError.js"
import { gracefully, stopRequested } from "../engine/Shutdown.js"
import { Fetcher } from "../http/Fetcher.js"
import { Stderr } from "../report/Stdout.js"
import { setUpFailure } from "./ClusterFetch.js"
import { clusterOption, clusterUrl, parseHostPort } from "./ClusterFlags.js"
import { connectionHelpGroup, connectionLayer, connectionOptions } from "./ConnectionFlags.js"
import type { CommandHelp } from "./HelpText.js"
import { lazyModule } from "./LazyModule.js"
import { optionalText, positiveIntOption } from "./OptionParsers.js"
import { maxConcurrency } from "./ResourceLimits.js"

export const workerOptions = {
  cluster: clusterOption,
  concurrency: positiveIntOption("concurrency", 50, { alias: "c", max: maxConcurrency }).pipe(
    Options.withDescription("requests in flight at once in this worker")
  ),
  bucketConcurrency: positiveIntOption("bucket-concurrency", 1, { max: 1000 }).pipe(
    Options.withDescription("batches of one host bucket handled at once")
  ),
  listen: optionalText("listen", "HOST:PORT", "where the other processes reach this worker [default 127.0.0.1:34431]"),
  advertise: optionalText("advertise", "HOST:PORT", "the address the others use, when not --listen (NAT, 0.0.0.0)"),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription("one line on stderr per batch: run, chunk, bucket, inputs, already stored")
  ),
  // The worker makes the connections of every run it fetches: proxies, TLS, HTTP/2 are its own.
  ...connectionOptions
} as const

export const workerHelp: CommandHelp = {
  name: "worker",
  summary: "run a cluster worker: fetch the batches of its host buckets until SIGTERM",
  usage: "volley worker --cluster postgres://… [--concurrency N] [--listen HOST:PORT] [--advertise HOST:PORT]",
  groups: [
    ["Worker", ["--cluster", "--concurrency", "--bucket-concurrency", "--listen", "--advertise", "--verbose"]],
    connectionHelpGroup
  ],
  notes: [
    "All processes of a cluster need the same VOLLEY_CLUSTER_LOCK_EXPIRY (35s): a dead worker's buckets move after it."
  ],
  examples: [
    ["a worker on this machine", "volley worker --cluster postgres://volley@db:5432/volley --listen 10.0.0.5:34431"],
    ["then submit from anywhere", "volley fetch -i urls.txt --per-host 2 --cluster postgres://volley@db:5432/volley"]
  ]
}

type WorkerFlags = Command.Command.ParseConfig<typeof workerOptions>

const workerHandler = Effect.fnUntraced(function*(flags: WorkerFlags) {
  if (Option.isNone(flags.cluster)) return yield* new UsageError({ message: "volley worker needs --cluster URL" })
  const url = yield* clusterUrl(flags.cluster.value)
  const listen = yield* parseHostPort("--listen", Option.getOrElse(flags.listen, () => "127.0.0.1:34431"))
  const advertise = Option.isSome(flags.advertise) ? yield* parseHostPort("--advertise", flags.advertise.value) : listen
  const stderr = yield* Stderr
  const cluster = yield* lazyModule(() => import("./ClusterModules.js"))
  const layer = cluster.workerLayer({
    url,
    concurrency: flags.concurrency,
    bucketConcurrency: flags.bucketConcurrency,
    listen,
    advertise,
    env: process.env,
    onBatch: flags.verbose
      ? (batch) =>
        stderr.write(
          `batch ${batch.run}:${batch.chunk}:${batch.bucket}: ${batch.inputs} inputs, ${batch.stored} stored already\n`
        )
      : undefined
  })
  yield* gracefully(Effect.scoped(Effect.gen(function*() {
    yield* Layer.build(layer)
    yield* stderr.write(
      `volley worker: ready on ${advertise.host}:${advertise.port} (${cluster.safeUrl(url)}), ` +
        `${flags.concurrency} in flight at most\n`
    )
    // Until SIGTERM/Ctrl-C asks for a stop; closing the scope then drains and leaves.
    yield* Effect.repeat(stopRequested, { until: (stop) => stop, schedule: Schedule.spaced("100 millis") })
    yield* stderr.write("volley worker: draining\n")
  }))).pipe(
    // Built (files read, URLs checked) before the worker joins: a bad connection flag exits 2 at once.
    Effect.provide(Fetcher.Default.pipe(Layer.provide(connectionLayer(flags)))),
    setUpFailure
  )
  yield* stderr.write("volley worker: left the cluster\n")
})

export const workerCommand = Command.make("worker", workerOptions, workerHandler).pipe(
  Command.withDescription("Run a cluster worker until SIGTERM")
)
