/**
 * Host buckets: a host always falls in the same bucket (the per-host limits rely on it), the
 * port and case do not change it, and the buckets spread many hosts.
 */
import { describe, expect, it } from "vitest"
import { bucketOf, hostOf } from "../../src/cluster/Protocol.js"

describe("host buckets", () => {
  it("one host, one bucket: whatever the path, port, scheme or case", () => {
    const bucket = bucketOf("http://Example.COM:8080/a", 64)
    expect(bucketOf("https://example.com/b?c=1", 64)).toBe(bucket)
    expect(bucketOf("http://example.com:9/", 64)).toBe(bucket)
    expect(hostOf("http://Example.COM:8080/a")).toBe("example.com")
  })

  it("stable across processes: FNV-1a of the host, mod the bucket count", () => {
    // The same hash written out: a change of hash would move every host of a live run.
    let hash = 0x811c9dc5
    for (const c of "a.test") hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193) >>> 0
    expect(bucketOf("http://a.test/x", 1000)).toBe(hash % 1000)
  })

  it("spreads hosts over the buckets, each in range", () => {
    const buckets = new Set<number>()
    for (let i = 0; i < 1000; i++) {
      const b = bucketOf(`http://host-${i}.test/`, 16)
      expect(b).toBeGreaterThanOrEqual(0)
      expect(b).toBeLessThan(16)
      buckets.add(b)
    }
    expect(buckets.size).toBe(16)
  })

  it("an unparsable URL still has a bucket (its record fails on the worker, as locally)", () => {
    expect(bucketOf("not a url", 8)).toBe(bucketOf("not a url", 8))
    expect(hostOf("not a url")).toBe("not a url")
  })
})
