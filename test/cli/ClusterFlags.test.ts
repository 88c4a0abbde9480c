/** `--cluster` takes PostgreSQL URLs only; `--listen`/`--advertise` take HOST:PORT (IPv6 in brackets). */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { clusterUrl, parseHostPort } from "../../src/cli/ClusterFlags.js"

describe("cluster flags", () => {
  it("--cluster: postgres:// and postgresql:// URLs, nothing else", () => {
    expect(Either.isRight(clusterUrl("postgres://u@db:5432/volley"))).toBe(true)
    expect(Either.isRight(clusterUrl("postgresql://db/volley"))).toBe(true)
    const wrong = clusterUrl("mysql://db/volley")
    expect(Either.isLeft(wrong) && wrong.left.message).toBe("--cluster: 'mysql://db/volley' is not a postgres:// URL")
    expect(Either.isLeft(clusterUrl("db:5432"))).toBe(true)
  })

  it("HOST:PORT, [IPv6]:PORT; a missing or too large port is refused", () => {
    expect(parseHostPort("--listen", "10.0.0.5:34431")).toEqual(Either.right({ host: "10.0.0.5", port: 34431 }))
    expect(parseHostPort("--listen", "[::1]:7000")).toEqual(Either.right({ host: "::1", port: 7000 }))
    expect(Either.isLeft(parseHostPort("--listen", "10.0.0.5"))).toBe(true)
    expect(Either.isLeft(parseHostPort("--listen", "h:70000"))).toBe(true)
  })
})
