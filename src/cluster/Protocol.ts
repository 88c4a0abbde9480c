/**
 * What travels between a submitting process and the workers: a batch of inputs of one run, all
 * for hosts of one host bucket, sent as a persisted message to that bucket's entity.
 *
 * One runner owns a bucket at a time, and a host has one bucket per run (Placement.ts): the per-host
 * limits and learned pauses of the worker that owns it hold for the whole cluster without any
 * coordination between workers (the Nutch/StormCrawler pattern).
 *
 * @module
 */
import * as ClusterSchema from "@effect/cluster/ClusterSchema"
import * as Entity from "@effect/cluster/Entity"
import * as Rpc from "@effect/rpc/Rpc"
import * as Schema from "effect/Schema"
import { InvalidInputLine, InvalidUrl } from "../domain/FetchError.js"
import { RequestSpec } from "../domain/RequestSpec.js"

/** One input of a batch: its index in the run's input, which is its place in the output. */
export const BatchInput = Schema.Struct({
  index: Schema.NonNegativeInt,
  request: RequestSpec,
  id: Schema.optionalWith(Schema.Union(Schema.String, Schema.Number), { exact: true }),
  invalid: Schema.optionalWith(Schema.Union(InvalidInputLine, InvalidUrl), { exact: true })
})
export type BatchInput = typeof BatchInput.Type

/**
 * Fetch a batch and store its records. The primary key `(run, chunk, bucket)` makes a send
 * idempotent: the same batch sent twice is stored once (its reply comes back the second time).
 * The reply is how many records this delivery stored (a redelivered batch skips stored ones).
 */
export const FetchBatch = Rpc.make("FetchBatch", {
  payload: {
    run: Schema.String,
    chunk: Schema.NonNegativeInt,
    bucket: Schema.NonNegativeInt,
    inputs: Schema.Array(BatchInput)
  },
  success: Schema.Number,
  primaryKey: ({ bucket, chunk, run }) => `${run}:${chunk}:${bucket}`
}).annotate(ClusterSchema.Persisted, true)

/** The entity of one host bucket; its id is the bucket number. */
export const HostBucket = Entity.make("VolleyHostBucket", [FetchBatch])

/** The host of a URL as the buckets see it: lower-case, without the port; the URL itself when unparsable. */
export const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return url
  }
}

/** FNV-1a of a host: stable across processes and Node versions. */
export const hashHost = (host: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < host.length; i++) hash = Math.imul(hash ^ host.charCodeAt(i), 0x01000193) >>> 0
  return hash
}

/** `hash(host) mod buckets`: where a host goes when the runners' load cannot be known (Placement.ts). */
export const bucketOfHost = (host: string, buckets: number): number => hashHost(host) % buckets

/** The bucket `bucketOfHost` gives a URL's host. */
export const bucketOf = (url: string, buckets: number): number => bucketOfHost(hostOf(url), buckets)
