/**
 * `--format junit`: a JUnit XML report, one `<testcase>` per input, which CI systems (Jenkins'
 * JUnit plugin, GitLab's test reports, GitHub test reporters) read. A failed record is a
 * `<failure type="TAG" message="…">`.
 *
 * The report is streamed: each test case is written to a temporary file as its record arrives,
 * so memory stays flat. The totals belong in the `<testsuite>` attributes at the top, which are
 * only known at the end; closing the writer then writes the header with the totals, copies the
 * test cases after it (streamed) and the closing tags, into a temporary name renamed into place
 * (so readers never see half a report). To stdout the assembled report is written at the end.
 *
 * The XML of each test case is built by fast-xml-parser's `XMLBuilder`, which escapes text and
 * attributes; characters XML 1.0 cannot hold at all (most control characters) are replaced first.
 *
 * @module
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { XMLBuilder } from "fast-xml-parser"
import type { FetchRecord } from "../domain/FetchRecord.js"
import { describeWriteFailure, OutputError, writeFailureOf } from "../domain/OutputError.js"
import { UsageError } from "../domain/UsageError.js"
import { withoutCredentials } from "../observability/SafeUrl.js"
import { openAtomic } from "./AtomicFile.js"
import { type OutputTarget, type RecordWriter } from "./RecordWriter.js"
import { Stdout } from "./Stdout.js"

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_" })

/** Characters outside XML 1.0's `Char` production (NUL and most C0 controls, lone surrogates). */
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Text XML can hold; in attributes, line breaks become spaces (they would be normalised anyway). */
const xmlText = (text: string) => text.replace(notXmlChar, "\uFFFD")
const xmlAttribute = (text: string) => xmlText(text).replace(/[\r\n\t]+/g, " ")

const seconds = (ms: number) => (ms / 1000).toFixed(3)

/** One record as a `<testcase>` element. */
export const testcaseXml = (record: FetchRecord, suite: string): string => {
  const testcase: Record<string, unknown> = {
    "@_name": xmlAttribute(`${record.index}: ${withoutCredentials(record.url)}`),
    "@_classname": xmlAttribute(suite),
    "@_time": seconds(record.ms)
  }
  const facts = `${record.status === undefined ? "no answer" : `status ${record.status}`}, ${record.attempts} ${
    record.attempts === 1 ? "attempt" : "attempts"
  }`
  if (!record.ok) {
    testcase["failure"] = {
      "@_type": xmlAttribute(record.error._tag),
      "@_message": xmlAttribute(record.error.message),
      "#text": xmlText(`${record.error._tag}: ${record.error.message}\n${facts}`)
    }
  } else {
    testcase["system-out"] = xmlText(facts)
  }
  // On one line (text inside keeps its own line breaks), indented to sit inside <testsuite>.
  return `    ${builder.build({ testcase }) as string}`
}

interface Totals {
  readonly tests: number
  readonly failures: number
  readonly ms: number
  readonly timestamp: string
}

const header = (suite: string, totals: Totals) => {
  const counts = `tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="0" time="${
    seconds(totals.ms)
  }"`
  const nameAttribute = `name="${
    xmlAttribute(suite).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;")
  }"`
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${nameAttribute} ${counts}>\n` +
    `  <testsuite ${nameAttribute} ${counts} timestamp="${totals.timestamp}">\n`
}

const footer = "  </testsuite>\n</testsuites>\n"

/** Opens a JUnit report in the current scope; `close` (or closing the scope) writes it whole. */
export const openJunitWriter = (
  target: OutputTarget,
  suite = "volley"
): Effect.Effect<RecordWriter, UsageError | OutputError, Scope.Scope | Stdout | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const shown = target._tag === "File" ? `--output ${target.path}` : "stdout"
    const startedMs = yield* Clock.currentTimeMillis
    let tests = 0
    let failures = 0
    let closed = false
    const failure = (error: unknown) => {
      const cause = writeFailureOf(error)
      return new OutputError({
        ...(cause.code === undefined ? {} : { code: cause.code }),
        written: tests,
        message: `${shown}: ${describeWriteFailure(cause)} (the report is not written)`
      })
    }
    const casesPath = yield* fs.makeTempFileScoped({ prefix: "volley-junit-" }).pipe(
      Effect.mapError((error) => new UsageError({ message: `${shown}: cannot write: ${error.message}` }))
    )
    const cases = yield* fs.open(casesPath, { flag: "w" }).pipe(
      Effect.mapError((error) => new UsageError({ message: `${shown}: cannot write: ${error.message}` }))
    )
    const encoder = new TextEncoder()

    const totals = Effect.map(Clock.currentTimeMillis, (now): Totals => ({
      tests,
      failures,
      ms: now - startedMs,
      timestamp: new Date(startedMs).toISOString().replace(/\.\d{3}Z$/, "")
    }))
    const casesStream = fs.stream(casesPath)

    const stdout = yield* Stdout
    const assemble: Effect.Effect<void, unknown> = target._tag === "Stdout"
      ? Effect.gen(function*() {
        yield* stdout.write(header(suite, yield* totals))
        yield* casesStream.pipe(Stream.decodeText(), Stream.runForEach((text) => stdout.write(text)))
        yield* stdout.write(footer)
      })
      : Effect.scoped(Effect.gen(function*() {
        const { commit, file: out } = yield* openAtomic(target.path)
        yield* out.writeAll(encoder.encode(header(suite, yield* totals)))
        yield* casesStream.pipe(Stream.runForEach((chunk) => out.writeAll(chunk)))
        yield* out.writeAll(encoder.encode(footer))
        yield* commit
      })).pipe(Effect.provideService(FileSystem.FileSystem, fs))
    const close = Effect.suspend(() => {
      if (closed) return Effect.void
      closed = true
      return Effect.mapError(assemble, failure)
    })
    // Interrupted without `close`: the report of what was fetched is written all the same.
    yield* Effect.addFinalizer(() => Effect.ignore(close))

    return {
      write: (records) => {
        let text = ""
        let failed = 0
        for (const record of records) {
          if (!record.ok) failed++
          text += testcaseXml(record, suite) + "\n"
        }
        return text === "" ? Effect.void : cases.writeAll(encoder.encode(text)).pipe(
          Effect.mapError(failure),
          Effect.tap(() => {
            tests += records.length
            failures += failed
          })
        )
      },
      close,
      written: () => tests
    } satisfies RecordWriter
  })
