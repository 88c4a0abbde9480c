/**
 * `volley demo`: the tutorials' story told against the embedded API, offline, in under a
 * minute — sequential vs concurrent, retries that survive a flaky endpoint, politeness towards
 * a rate limit, extraction from HTML, and a workflow of dependent steps.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { compareModes } from "../engine/Compare.js"
import { fetchAll } from "../engine/Runner.js"
import { cssExtractor } from "../extract/CssSelect.js"
import { regexExtractor } from "../extract/RegexMatch.js"
import { makePoliteGate } from "../http/PoliteGate.js"
import { compareText } from "../report/CompareReport.js"
import { Stdout } from "../report/Stdout.js"
import { startDemoServer } from "../server/DemoServer.js"
import * as Workflow from "../workflow/Workflow.js"
import { workflowText } from "../workflow/WorkflowReport.js"
import { runWorkflowSteps } from "../workflow/WorkflowRunner.js"

export interface DemoOptions {
  /** Bold headings (only on a terminal, never with NO_COLOR). */
  readonly color: boolean
  /** How long each cat-fact answer takes, in ms. */
  readonly factDelayMs?: number
}

const tally = (records: ReadonlyArray<FetchRecord>) => {
  const ok = records.filter((r) => r.ok).length
  const byTag = new Map<string, number>()
  for (const r of records) if (!r.ok) byTag.set(r.error._tag, (byTag.get(r.error._tag) ?? 0) + 1)
  const failures = [...byTag].map(([tag, n]) => `${n} ${tag}`).join(", ")
  return `${ok} ok, ${records.length - ok} failed${failures === "" ? "" : ` (${failures})`}`
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/** Runs the demo, writing the story to `Stdout`. */
export const runDemo = (options: DemoOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const out = yield* Stdout
    const fs = yield* FileSystem.FileSystem
    const heading = (text: string) => out.write(`\n${options.color ? `\u001b[1m${text}\u001b[0m` : text}\n`)
    const say = (text: string) => out.write(text + "\n")
    const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const value = yield* effect
        return [value, (yield* Clock.currentTimeMillis) - start] as const
      })

    const server = yield* startDemoServer()
    const base = server.url
    const delay = options.factDelayMs ?? 50
    yield* say(`volley demo: everything below runs against a local API (no network):\n  ${base}`)

    // 1. The tutorials' measurement.
    yield* heading(`1. 100 cat facts, one after another vs all at once (each answer takes ${delay} ms)`)
    const facts = Array.from({ length: 100 }, (_, i) => `${base}/facts/${i + 1}?delay=${delay}`)
    const comparison = yield* compareModes(facts, { concurrency: 100, batchSize: 10, fetch: {} })
    yield* out.write(compareText(comparison, 8))
    const dir = yield* fs.makeTempDirectory({ prefix: "volley-demo-" })
    const saved = `${dir}/cat-facts.json`
    const concurrent = comparison.modes[1]!.records
    yield* fs.writeFileString(saved, JSON.stringify(concurrent, null, 2) + "\n")
    yield* say(`Concurrent was ${comparison.speedup.toFixed(1)}× faster. The 100 records are saved in\n  ${saved}`)

    // 2. Retries.
    yield* heading("2. A flaky endpoint: each URL answers 503 twice before it works")
    const flaky = Array.from({ length: 10 }, (_, i) => `${base}/flaky/demo-${i}?fail=2`)
    const [survived, flakyMs] = yield* timed(
      fetchAll(flaky, {
        concurrency: 10,
        fetch: { retry: { retries: 3, backoff: "100 millis", maxBackoff: "2 seconds" } }
      })
    )
    const attempts = survived.reduce((n, r) => n + r.attempts, 0)
    yield* say(`--retries 3 --backoff 100ms: ${tally(survived)} after ${attempts} attempts, in ${seconds(flakyMs)}.`)
    yield* say("A 404 is not retried: only transport errors, time-outs and 408/429/5xx are.")

    // 3. Politeness.
    yield* heading("3. A rate-limited endpoint: 5 requests a second, plain text past that")
    const limited = (key: string) => Array.from({ length: 20 }, () => `${base}/limited/${key}?rate=5`)
    const number = yield* regexExtractor("\"n\":(\\d+)")
    const naive = yield* fetchAll(limited("naive"), {
      concurrency: 20,
      fetch: { retry: { retries: 0, backoff: "1 millis", maxBackoff: "1 millis" }, extractor: number }
    })
    const refused = naive.find((r) => !r.ok && r.status === 429)
    yield* say(`All 20 at once, no retries: ${tally(naive)}.`)
    if (refused !== undefined && !refused.ok) {
      yield* say(`  the server said: HTTP 429, ${JSON.stringify(refused.body)}`)
      yield* say("  (plain text, not JSON: the tutorial's json.loads would crash here)")
    }
    const gate = yield* makePoliteGate({ rate: { limit: 5, interval: Duration.seconds(1) }, perHost: undefined })
    const [polite, politeMs] = yield* timed(
      fetchAll(limited("polite"), { concurrency: 20, fetch: { gate, extractor: number } })
    )
    // Said as it happened: a refusal (network jitter at the exact limit) was retried, not hidden.
    const retried = polite.reduce((sum, record) => sum + record.attempts - 1, 0)
    yield* say(
      `With --rate 5: ${tally(polite)} in ${seconds(politeMs)} — ${
        retried === 0 ? "no request refused" : `${retried} refused and retried`
      }.`
    )

    // 4. Extraction.
    yield* heading("4. Extracting values from an HTML page (the random-numbers page)")
    const page = `${base}/numbers?count=8`
    const [pre] = yield* fetchAll([page], { fetch: { extractor: yield* cssExtractor("pre.data"), keepBody: false } })
    yield* say(`--select 'pre.data'        → ${JSON.stringify(pre!.ok ? pre!.value : pre!.error.message)}`)
    const [all] = yield* fetchAll([page], {
      fetch: { extractor: yield* regexExtractor("(\\d+)$", { all: true }), keepBody: false }
    })
    yield* say(`--match '(\\d+)$' --match-all  → ${JSON.stringify(all!.ok ? all!.value : all!.error.message)}`)

    // 5. Workflow.
    yield* heading("5. A workflow: users, then each user's posts, beside a status check")
    const workflow = yield* Workflow.make({
      name: "posts-of-users",
      vars: { base },
      steps: {
        users: Workflow.request("{{ vars.base }}/users?delay=100"),
        posts: Workflow.forEach("users.body", "{{ vars.base }}/users/{{ item.id }}/posts?delay=100", {
          concurrency: 5,
          extract: "[*].title"
        }),
        status: Workflow.request("{{ vars.base }}/status/200?delay=100")
      }
    })
    const result = yield* runWorkflowSteps(workflow)
    yield* out.write(workflowText(result))
    const posts = result.steps["posts"]
    const status = result.steps["status"]
    if (posts !== undefined && status !== undefined) {
      yield* say(
        `(status took ${Math.round(status.ms)} ms beside users; ${
          posts.ok + posts.failed
        } posts requests, 5 at a time, ${Math.round(posts.ms)} ms.)`
      )
    }

    yield* heading("Try it yourself")
    yield* say("  volley serve --port 8080 &")
    yield* say("  volley fetch 'http://127.0.0.1:8080/facts/{1..100}' -c 20 -e 'data[0].fact'")
    yield* say("  volley run examples/workflows/posts-of-users.yaml \\\n      --var base=http://127.0.0.1:8080")
  }))
