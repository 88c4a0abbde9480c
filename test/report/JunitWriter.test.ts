/**
 * The JUnit report read back by real parsers: fast-xml-parser's validator (well-formed XML) and
 * junit2json (the shape CI systems read: suites, totals, test cases, failures).
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect } from "effect"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import { parse, type TestSuites } from "junit2json"
import type { FetchRecord } from "../../src/domain/FetchRecord.js"
import { openJunitWriter } from "../../src/report/JunitWriter.js"
import { makeCapture } from "../support/Capture.js"

const records: ReadonlyArray<FetchRecord> = [
  { index: 0, url: "http://api.test/a?x=1&y=<2>", ok: true, status: 200, attempts: 1, ms: 12.5 },
  {
    index: 1,
    url: "http://user:secret@api.test/b",
    ok: false,
    status: 200,
    attempts: 1,
    ms: 3,
    error: { _tag: "AssertionError", message: "assertion failed: body.name == 'x' (body.name is \"a\\u0001\"<&>\")" }
  },
  {
    index: 2,
    url: "http://api.test/c",
    ok: false,
    attempts: 4,
    ms: 1500,
    error: { _tag: "TimeoutError", message: "no complete answer within 1s\u0000" }
  }
]

/** Writes `records` in two chunks, as a run does; returns the report. */
const report = (target: "file" | "stdout") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    const path = `${dir}/report.xml`
    const capture = makeCapture()
    yield* Effect.scoped(Effect.gen(function*() {
      const writer = yield* openJunitWriter(
        target === "file" ? { _tag: "File", path, append: false } : { _tag: "Stdout" }
      )
      yield* writer.write(Chunk.fromIterable(records.slice(0, 2)))
      yield* writer.write(Chunk.fromIterable(records.slice(2)))
      // Nothing at the final name until the report is whole.
      expect(yield* fs.exists(path)).toBe(false)
    })).pipe(Effect.provide(capture.stdout))
    return target === "file" ? yield* fs.readFileString(path) : capture.output()
  })

describe("JUnit report", () => {
  it.scoped("well-formed XML whose totals and test cases a JUnit parser reads back", () =>
    Effect.gen(function*() {
      const xml = yield* report("file")
      expect(XMLValidator.validate(xml)).toBe(true)
      const parsed = (yield* Effect.promise(() => parse(xml))) as TestSuites
      expect(parsed).toMatchObject({ name: "volley", tests: 3, failures: 2, errors: 0 })
      const suite = parsed.testsuite![0]!
      expect(suite).toMatchObject({ name: "volley", tests: 3, failures: 2, errors: 0, skipped: 0 })
      expect(suite.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
      const [a, b, c] = suite.testcase!
      expect(a).toMatchObject({ name: "0: http://api.test/a?x=1&y=<2>", classname: "volley", time: 0.013 })
      expect(a!.failure).toBeUndefined()
      // Credentials never reach the report.
      expect(b!.name).toBe("1: http://api.test/b")
      expect(b!.failure![0]).toMatchObject({
        type: "AssertionError",
        message: "assertion failed: body.name == 'x' (body.name is \"a\\u0001\"<&>\")"
      })
      expect(b!.failure![0]!.inner).toContain("status 200, 1 attempt")
      expect(c!.failure![0]).toMatchObject({ type: "TimeoutError", message: "no complete answer within 1s\uFFFD" })
      expect(c!.failure![0]!.inner).toBe("TimeoutError: no complete answer within 1s\uFFFD\nno answer, 4 attempts")
      expect(c!.time).toBe(1.5)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("to stdout: the same report, assembled at the end", () =>
    Effect.gen(function*() {
      const xml = yield* report("stdout")
      expect(XMLValidator.validate(xml)).toBe(true)
      const tree = new XMLParser({ ignoreAttributes: false }).parse(xml)
      expect(tree.testsuites.testsuite["@_tests"]).toBe("3")
      expect(tree.testsuites.testsuite.testcase).toHaveLength(3)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("an empty run is a valid report with no test cases", () =>
    Effect.gen(function*() {
      const capture = makeCapture()
      yield* Effect.scoped(openJunitWriter({ _tag: "Stdout" })).pipe(Effect.provide(capture.stdout))
      const parsed = (yield* Effect.promise(() => parse(capture.output()))) as TestSuites
      expect(parsed.testsuite![0]).toMatchObject({ tests: 0, failures: 0 })
    }).pipe(Effect.provide(NodeContext.layer)))
})
