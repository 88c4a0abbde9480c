/**
 * `volley fetch` with curl's flags, run in process against the demo API on loopback: what each
 * flag puts on the wire (as the /echo endpoint saw it), and the one-line errors.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { type DemoServer, startDemoServer } from "../../src/server/DemoServer.js"
import { runInProcess } from "../support/InProcessCli.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

class Demo extends Context.Tag("test/Demo")<Demo, DemoServer>() {}
const DemoLive = Layer.scoped(Demo, startDemoServer())

interface Echo {
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: string
}

/** The request as the server's /echo saw it. */
const echoed = (...args: Array<string>) =>
  Effect.gen(function*() {
    const { url } = yield* Demo
    const result = yield* runInProcess(["fetch", `${url}/echo`, "--no-progress", "-e", "@", ...args])
    expect(result.code).toBe(0)
    return JSON.parse(result.stdout.trim()).value as Echo
  })

layer(Layer.mergeAll(DemoLive, NodeContext.layer), { excludeTestServices: true })("curl's flags (in process)", (it) => {
  it.effect("-d implies POST and form encoding; JSON bodies go as JSON; -X wins", () =>
    Effect.gen(function*() {
      const form = yield* echoed("-d", "a=1", "-d", "b=2")
      expect(form.method).toBe("POST")
      expect(form.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(form.body).toBe("a=1&b=2")
      const json = yield* echoed("-d", "{\"a\":1}")
      expect(json.headers["content-type"]).toBe("application/json")
      expect((yield* echoed("-d", "x", "-X", "PUT")).method).toBe("PUT")
    }))

  it.effect("--data-urlencode, --data-raw and @FILE, as curl builds them", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/body.txt`, "line one\nline two\n")
      expect((yield* echoed("--data-urlencode", "q=a b&c", "--data-urlencode", "plain")).body).toBe(
        "q=a%20b%26c&plain"
      )
      expect((yield* echoed("--data-raw", "@not-a-file")).body).toBe("@not-a-file")
      expect((yield* echoed("-d", `@${dir}/body.txt`)).body).toBe("line oneline two")
      expect((yield* echoed("--data-binary", `@${dir}/body.txt`)).body).toBe("line one\nline two\n")
      expect((yield* echoed("--data-urlencode", `f@${dir}/body.txt`)).body).toBe("f=line%20one%0Aline%20two%0A")
    }).pipe(Effect.scoped))

  it.effect("--json sets Content-Type and Accept; -A, --referer, -I and any token method", () =>
    Effect.gen(function*() {
      const json = yield* echoed("--json", "{\"name\":\"a\"}")
      expect(json).toMatchObject({ method: "POST", body: "{\"name\":\"a\"}" })
      expect(json.headers).toMatchObject({ "content-type": "application/json", accept: "application/json" })
      const named = yield* echoed("-A", "my-agent/1", "--referer", "http://example.test/")
      expect(named.headers).toMatchObject({ "user-agent": "my-agent/1", referer: "http://example.test/" })
      expect((yield* echoed("-X", "propfind")).method).toBe("PROPFIND")
      const { url } = yield* Demo
      const head = yield* runInProcess(["fetch", `${url}/json/1`, "-I", "--no-progress"])
      // HEAD: the server sends headers only, so the body is empty.
      expect(JSON.parse(head.stdout)).toMatchObject({ ok: true, status: 200, body: "" })
    }))

  it.scoped("-u USER:PASS sends Basic auth, never printed; -u USER takes VOLLEY_PASSWORD or refuses", () =>
    Effect.gen(function*() {
      // A server that answers with the Authorization header it got (the demo's /echo redacts it).
      const { url: server } = yield* startLoopbackServer((request, response) => {
        response.setHeader("content-type", "application/json")
        response.end(JSON.stringify(request.headers.authorization))
      })
      const result = yield* runInProcess(["fetch", `${server}/`, "-u", "ann:s3cret", "--no-progress"])
      expect(JSON.parse(result.stdout).body).toBe(`Basic ${Buffer.from("ann:s3cret").toString("base64")}`)
      expect(result.stderr).not.toContain("s3cret")
      const missing = yield* runInProcess(["fetch", `${server}/`, "-u", "ann"])
      expect(missing.code).toBe(2)
      expect(missing.stderr.trim()).toBe("volley: -u USER without a password: give USER:PASS or set VOLLEY_PASSWORD")
    }))

  it.scoped("-F builds a multipart form (files byte for byte); --data-binary @FILE sends bytes as they are", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const binary = new Uint8Array(256).map((_, i) => i)
      yield* fs.writeFile(`${dir}/all-bytes.bin`, binary)
      yield* fs.writeFileString(`${dir}/note.txt`, "a note")
      // A server that answers with what it received: the form parsed by the platform's own parser.
      const received: Array<{ type: string; body: Buffer }> = []
      const { url: server } = yield* startLoopbackServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          received.push({ type: request.headers["content-type"] ?? "", body: Buffer.concat(chunks) })
          response.end("{}")
        })
      })
      const url = `${server}/`
      const form = yield* runInProcess([
        "fetch",
        url,
        "-F",
        "title=hello world",
        "-F",
        `file=@${dir}/all-bytes.bin;type=application/x-test`,
        "-F",
        `note=<${dir}/note.txt`,
        "--no-progress"
      ])
      expect(form.code).toBe(0)
      const sent = received[0]!
      expect(sent.type).toMatch(/^multipart\/form-data; boundary=/)
      const parsed = yield* Effect.promise(() =>
        new Response(sent.body, { headers: { "content-type": sent.type } }).formData()
      )
      expect(parsed.get("title")).toBe("hello world")
      expect(parsed.get("note")).toBe("a note")
      const file = parsed.get("file") as File
      expect(file.name).toBe("all-bytes.bin")
      expect(file.type).toBe("application/x-test")
      expect(new Uint8Array(yield* Effect.promise(() => file.arrayBuffer()))).toEqual(binary)
      const raw = yield* runInProcess(["fetch", url, "--data-binary", `@${dir}/all-bytes.bin`, "--no-progress"])
      expect(raw.code).toBe(0)
      expect(new Uint8Array(received[1]!.body)).toEqual(binary)
      const both = yield* runInProcess(["fetch", url, "-F", "a=1", "-d", "b=2"])
      expect(both.code).toBe(2)
      expect(both.stderr.trim()).toBe("volley: use one kind of body: -d/--data-*, --json or -F/--form")
    }))

  it.effect("bad flags are one line and exit 2, before anything is sent", () =>
    Effect.gen(function*() {
      const { stats, url } = yield* Demo
      stats.reset()
      const cases: ReadonlyArray<readonly [Array<string>, RegExp]> = [
        [["-x"], /^volley: --proxy needs a value$/],
        [
          ["-Q", "x", `${url}/json/1`],
          /^volley: unknown option '-Q' for fetch \(volley fetch --help lists the options\)$/
        ],
        [["-O", "foo", `${url}/json/1`], /^volley: unknown option '-O' for fetch; did you mean -o \(--output\)\?/],
        [["-X", "BAD METHOD", `${url}/json/1`], /--method: 'BAD METHOD' is not an HTTP method/],
        [["--json", "{}", "-d", "a", `${url}/json/1`], /^volley: use one kind of body/],
        [[`${url}/json/{3..x}`], /^volley: URL argument '.*\/json\/\{3\.\.x\}': \{3\.\.x\} is not a range/],
        [["-I", "-X", "POST", `${url}/json/1`], /^volley: -I\/--head and -X POST ask for different methods/]
      ]
      for (const [args, message] of cases) {
        const result = yield* runInProcess(["fetch", ...args])
        expect(result.code).toBe(2)
        expect(result.stderr.trim()).toMatch(message)
        expect(result.stderr.trim().split("\n")).toHaveLength(1)
      }
      expect(stats.snapshot().requests).toBe(0)
    }))

  it.effect("an extraction that finds nothing fails the record unless --allow-empty", () =>
    Effect.gen(function*() {
      const { url } = yield* Demo
      const typo = yield* runInProcess(["fetch", `${url}/facts/1`, "-e", "data[0].fcat", "--no-progress"])
      expect(typo.code).toBe(1)
      expect(JSON.parse(typo.stdout).error).toEqual({ _tag: "ExtractError", message: "'data[0].fcat' matched nothing" })
      const allowed = yield* runInProcess(["fetch", `${url}/facts/1`, "-e", "data[0].fcat", "--allow-empty"])
      expect(allowed.code).toBe(0)
      expect(JSON.parse(allowed.stdout)).toMatchObject({ ok: true, value: null })
    }))

  it.effect("--dry-run prints the requests (secrets redacted) and the plan, and sends nothing", () =>
    Effect.gen(function*() {
      const { stats, url } = yield* Demo
      stats.reset()
      const result = yield* runInProcess([
        "fetch",
        `${url}/echo/{1..20}`,
        "-H",
        "Authorization: Bearer s3cret",
        "-d",
        "a=1",
        "-c",
        "4",
        "--dry-run"
      ])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`#0 POST ${url}/echo/1\n  Authorization: <redacted>\n`)
      expect(result.stdout).toContain("(body: 3 bytes)")
      expect(result.stdout).toContain("plan: 20 requests (the first 5 shown), 4 at a time")
      expect(result.stdout).not.toContain("s3cret")
      expect(result.stdout).not.toContain("#5 ")
      expect(stats.snapshot().requests).toBe(0)
    }))

  it.effect("--verbose prints one line per retry: URL, attempt, reason, wait", () =>
    Effect.gen(function*() {
      const { url } = yield* Demo
      const target = `${url}/flaky/verbose?fail=2`
      const result = yield* runInProcess(["fetch", target, "-v", "--backoff", "10ms", "--no-progress"])
      expect(result.code).toBe(0)
      const retries = result.stderr.split("\n").filter((line) => line.startsWith("retry "))
      expect(retries).toHaveLength(2)
      expect(retries[0]).toMatch(
        new RegExp(
          `^retry 2/4 ${
            target.replace(/[?.]/g, "\\$&")
          }: StatusError: HTTP 503 Service Unavailable \\(after \\d+ ms\\)$`
        )
      )
      expect(retries[1]).toMatch(/^retry 3\/4 /)
    }))

  it.effect("numbers and durations from flags and VOLLEY_* are checked, naming their source", () =>
    Effect.gen(function*() {
      const { url } = yield* Demo
      for (
        const [args, message] of [
          [["-c", "zero"], "volley: --concurrency: 'zero' is not a whole number"],
          [["-c", "1e9"], "volley: --concurrency: '1e9' is not a whole number"],
          [["--batch-size", "0"], "volley: --batch-size: must be at least 1, got 0"],
          [["--rate", "fast"], "volley: --rate: 'fast' is not a rate (examples: 5, 5/s, 100/m)"]
        ] as const
      ) {
        const result = yield* runInProcess(["fetch", `${url}/json/1`, ...args])
        expect(result.code).toBe(2)
        expect(result.stderr.trim()).toBe(message)
      }
    }))

  it.effect("the summary has p99", () =>
    Effect.gen(function*() {
      const { url } = yield* Demo
      const result = yield* runInProcess(["fetch", `${url}/json/{1..5}`, "--no-progress"])
      expect(result.stderr).toMatch(/latency p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, max/)
    }))
})
