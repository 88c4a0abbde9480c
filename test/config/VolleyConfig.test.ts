import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect } from "effect"
import { VolleyConfig } from "../../src/config/VolleyConfig.js"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("VolleyConfig", () => {
  it.effect("defaults when nothing is set", () =>
    Effect.gen(function*() {
      const settings = yield* VolleyConfig.pipe(withEnv({}))
      expect(settings.concurrency).toBe(10)
      expect(Duration.toMillis(settings.timeout)).toBe(30_000)
      expect(settings.maxBodyBytes).toBe(10 * 1024 * 1024)
    }))
  it.effect("reads VOLLEY_* variables", () =>
    Effect.gen(function*() {
      const settings = yield* VolleyConfig.pipe(
        withEnv({ VOLLEY_CONCURRENCY: "64", VOLLEY_TIMEOUT: "500ms", VOLLEY_RETRIES: "0", VOLLEY_MAX_BODY: "1MiB" })
      )
      expect(settings).toMatchObject({ concurrency: 64, retries: 0, maxBodyBytes: 1024 * 1024 })
      expect(Duration.toMillis(settings.timeout)).toBe(500)
    }))
  it.effect("names the variable that is wrong", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(VolleyConfig.pipe(withEnv({ VOLLEY_TIMEOUT: "soon" })))
      expect(String(error)).toContain("VOLLEY_TIMEOUT")
      expect(String(error)).toContain("'soon' is not a duration")
    }))
})
