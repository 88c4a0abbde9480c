/**
 * What the demo API has seen: requests, requests in flight (most at once, overall and per host),
 * requests per second, and the state of its flaky and rate-limited endpoints. Tests read it to
 * check that volley held its limits.
 *
 * @module
 */
import * as Context from "effect/Context"

export interface StatsSnapshot {
  readonly requests: number
  readonly inFlight: number
  readonly maxInFlight: number
  readonly maxInFlightByHost: Readonly<Record<string, number>>
  /** Most requests that started within one wall-clock second. */
  readonly maxPerSecond: number
  readonly byPath: Readonly<Record<string, number>>
}

export interface ServerStatsService {
  readonly started: (host: string, path: string, nowMs: number) => void
  readonly finished: (host: string) => void
  readonly snapshot: () => StatsSnapshot
  readonly reset: () => void
  /** How many times `key` was asked for on the flaky endpoint, this one included. */
  readonly flakyHit: (key: string) => number
  /** Start times (ms) of the rate-limited endpoint's recent requests, per key. */
  readonly limited: Map<string, Array<number>>
}

/** The demo API's counters. */
export class ServerStats extends Context.Tag("volley/ServerStats")<ServerStats, ServerStatsService>() {}

export const makeServerStats = (): ServerStatsService => {
  let requests = 0
  let inFlight = 0
  let maxInFlight = 0
  let byPath: Record<string, number> = {}
  const inFlightByHost = new Map<string, number>()
  let maxInFlightByHost: Record<string, number> = {}
  let second = -1
  let thisSecond = 0
  let maxPerSecond = 0
  const flaky = new Map<string, number>()
  const limited = new Map<string, Array<number>>()
  return {
    started: (host, path, nowMs) => {
      requests++
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      const prefix = "/" + (path.split("/")[1] ?? "")
      byPath[prefix] = (byPath[prefix] ?? 0) + 1
      const hostCount = (inFlightByHost.get(host) ?? 0) + 1
      inFlightByHost.set(host, hostCount)
      maxInFlightByHost[host] = Math.max(maxInFlightByHost[host] ?? 0, hostCount)
      const s = Math.floor(nowMs / 1000)
      thisSecond = s === second ? thisSecond + 1 : 1
      second = s
      maxPerSecond = Math.max(maxPerSecond, thisSecond)
    },
    finished: (host) => {
      inFlight--
      inFlightByHost.set(host, (inFlightByHost.get(host) ?? 1) - 1)
    },
    snapshot: () => ({
      requests,
      inFlight,
      maxInFlight,
      maxInFlightByHost: { ...maxInFlightByHost },
      maxPerSecond,
      byPath: { ...byPath }
    }),
    reset: () => {
      requests = 0
      maxInFlight = inFlight
      byPath = {}
      maxInFlightByHost = {}
      maxPerSecond = 0
      second = -1
      flaky.clear()
      limited.clear()
    },
    flakyHit: (key) => {
      const n = (flaky.get(key) ?? 0) + 1
      flaky.set(key, n)
      return n
    },
    limited
  }
}
