/**
 * A run's settings survive the trip through the database (JSON), an unlimited body size
 * included, and become the fetch options the worker uses; the cluster timings follow the one
 * lock-expiry setting.
 */
import { Duration, Effect } from "effect"
import { describe, expect, it } from "vitest"
import { lockExpiry, shardingTimings } from "../../src/cluster/ClusterLayer.js"
import { decodeSettings, encodeSettings, fetchOptionsOf, type RunSettings } from "../../src/cluster/RunSettings.js"

const settings: RunSettings = {
  timeoutMs: 1500,
  retries: 2,
  backoffMs: 100,
  maxBackoffMs: 5000,
  perHost: 2,
  method: "POST",
  headers: { "X-Api-Key": "secret", Accept: "application/json" },
  secretHeaders: ["x-api-key"],
  body: "{\"a\":1}",
  keepBody: false,
  maxBodyBytes: Infinity,
  maxRedirects: 3,
  maxJsonDepth: 64,
  decompress: true,
  includeHeaders: true,
  resendUnsafe: false
}

describe("run settings", () => {
  it("round-trip through JSON, Infinity included", async () => {
    const back = await Effect.runPromise(decodeSettings(encodeSettings(settings)))
    expect(back).toEqual(settings)
  })

  it("a run stored without resendUnsafe reads as false: unsafe requests are not sent twice", async () => {
    const { resendUnsafe: _, ...older } = settings
    const back = await Effect.runPromise(decodeSettings(JSON.stringify({ ...older, maxBodyBytes: 1000 })))
    expect(back.resendUnsafe).toBe(false)
  })

  it("refuse a stored text that is not a run's settings", async () => {
    const exit = await Effect.runPromiseExit(decodeSettings("{\"timeoutMs\":\"soon\"}"))
    expect(exit._tag).toBe("Failure")
  })

  it("become the worker's fetch options: secrets redacted, durations as set", async () => {
    const options = await Effect.runPromise(Effect.scoped(fetchOptionsOf(settings)))
    expect(Duration.toMillis(options.timeout)).toBe(1500)
    expect(options.retry.retries).toBe(2)
    expect(options.method).toBe("POST")
    expect(String(options.headers["X-Api-Key"])).not.toContain("secret")
    expect(options.headers["Accept"]).toBe("application/json")
    expect(options.maxBodyBytes).toBe(Infinity)
    expect(options.includeHeaders).toBe(true)
  })
})

describe("cluster timings", () => {
  it("35 s lock expiry by default; VOLLEY_CLUSTER_LOCK_EXPIRY sets it", () => {
    expect(Duration.toMillis(lockExpiry({}))).toBe(35_000)
    expect(Duration.toMillis(lockExpiry({ VOLLEY_CLUSTER_LOCK_EXPIRY: "3s" }))).toBe(3000)
    expect(Duration.toMillis(lockExpiry({ VOLLEY_CLUSTER_LOCK_EXPIRY: "soon" }))).toBe(35_000)
  })

  it("refresh the locks well within their expiry, giving each refresh a third of it (at most 10 s)", () => {
    for (const expiry of [Duration.seconds(3), Duration.seconds(35), Duration.minutes(5)]) {
      const refresh = Duration.toMillis(Duration.decode(shardingTimings(expiry).shardLockRefreshInterval!))
      expect(refresh).toBeLessThan(Duration.toMillis(expiry) / 2)
      expect(refresh).toBe(Math.min(10_000, Math.floor(Duration.toMillis(expiry) / 3)))
    }
  })
})
