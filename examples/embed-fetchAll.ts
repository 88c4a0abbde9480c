/**
 * Embedding volley in an Effect program: your own layer composition, typed records.
 * In your project, import from "volley" instead of "../src/index.js".
 *
 *   npx tsx examples/embed-fetchAll.ts http://127.0.0.1:8080   (with `volley serve` running)
 */
import { Effect, Layer } from "effect"
import { Volley } from "../src/index.js"

/** Fetches the first ten cat facts and returns them, in order. */
export const firstFacts = (base: string) =>
  Effect.gen(function*() {
    const volley = yield* Volley.Volley
    const records = yield* volley.fetchAll(
      Array.from({ length: 10 }, (_, i) => `${base}/facts/${i + 1}`),
      { concurrency: 5, fetch: { keepBody: false } }
    )
    // Every input has a record; failures are values, not exceptions.
    return records.map((
      record
    ) => (record.ok ? `${record.index}: ${record.status}` : `${record.index}: ${record.error._tag}`))
  })

/** The app's layers: volley with its undici client, settings chosen here. */
export const AppLayer = Layer.mergeAll(Volley.layer({ concurrency: 20, retries: 2, backoff: "100 millis" }))

if (process.argv[1]?.endsWith("embed-fetchAll.ts") === true) {
  const base = process.argv[2] ?? "http://127.0.0.1:8080"
  Effect.runPromise(firstFacts(base).pipe(Effect.provide(AppLayer))).then((lines) => console.log(lines.join("\n")))
}
