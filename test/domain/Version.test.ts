import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { userAgent, version } from "../../src/domain/Version.js"

describe("Version", () => {
  it("matches package.json, which `volley --version` prints", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
    expect(version).toBe(pkg.version)
    expect(userAgent).toBe(`volley/${pkg.version}`)
  })
})
