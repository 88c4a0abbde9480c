/** A workflow step's `save:`, against a real loopback server: files, not bodies, and bad settings. */
import { expect, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Fetcher } from "../../src/http/Fetcher.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import * as Workflow from "../../src/workflow/Workflow.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"

/** Bytes that are not text, a different run for each path: `/files/N.bin`. */
const bytesFor = (path: string) => Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7 + path.length) % 256))

const server = Effect.acquireRelease(
  Effect.async<{ url: string; close: () => void }>((resume) => {
    const s = createServer((req, res) => {
      if (req.url === "/list") {
        res.writeHead(200, { "content-type": "application/json" })
        return res.end(JSON.stringify({ files: ["a.bin", "b.bin", "c.bin"] }))
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(bytesFor(req.url ?? ""))
    })
    s.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
        close: () => s.close()
      })))
  }),
  (s) => Effect.sync(s.close)
)

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "volley-save-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")

layer(Fetcher.Default.pipe(Layer.provide(undiciLayer({ env: {} }))), { excludeTestServices: true })(
  "workflow save",
  (it) => {
    it.scoped("a fan-out step saves each body to its own file; its records say where, with size and hash", () =>
      Effect.gen(function*() {
        const { url } = yield* server
        const dir = yield* tempDir
        const workflow = yield* Workflow.make({
          vars: { base: url },
          steps: {
            list: { request: "{{ vars.base }}/list", extract: "files" },
            get: {
              request: "{{ vars.base }}/files/{{ item }}",
              forEach: "list.value",
              save: { dir: join(dir, "out"), name: "{index}-{name}" }
            }
          }
        })
        const result = yield* runWorkflowSteps(workflow)
        const records = result.steps["get"]!.records as ReadonlyArray<Record<string, unknown>>
        expect(result.steps["get"]!.status).toBe("ok")
        expect(readdirSync(join(dir, "out")).sort()).toEqual(["0-a.bin", "1-b.bin", "2-c.bin"])
        for (const [i, name] of ["a.bin", "b.bin", "c.bin"].entries()) {
          const expected = bytesFor(`/files/${name}`)
          const file = join(dir, "out", `${i}-${name}`)
          expect(records[i]).toMatchObject({ ok: true, file, bytes: expected.length, sha256: sha256(expected) })
          expect(records[i]).not.toHaveProperty("body")
          expect(readFileSync(file).equals(expected)).toBe(true)
        }
        // The step before, which does not save, keeps its body.
        expect(result.steps["list"]!.records).toMatchObject({ ok: true, body: { files: ["a.bin", "b.bin", "c.bin"] } })
      }))

    it.scoped("save: DIR alone names files {index}-{name}", () =>
      Effect.gen(function*() {
        const { url } = yield* server
        const dir = yield* tempDir
        const workflow = yield* Workflow.make({
          vars: { base: url },
          steps: { one: { request: "{{ vars.base }}/files/logo.png", save: dir } }
        })
        const result = yield* runWorkflowSteps(workflow)
        expect(result.steps["one"]!.records).toMatchObject({ ok: true, file: join(dir, "0-logo.png") })
      }))

    it.scoped("a directory that cannot be made fails the step, saying why; the others run", () =>
      Effect.gen(function*() {
        const { url } = yield* server
        const dir = yield* tempDir
        const blocker = join(dir, "a-file")
        writeFileSync(blocker, "not a directory")
        const workflow = yield* Workflow.make({
          vars: { base: url },
          steps: {
            blocked: { request: "{{ vars.base }}/files/x", save: join(blocker, "sub") },
            other: { request: "{{ vars.base }}/list" }
          }
        })
        const result = yield* runWorkflowSteps(workflow)
        expect(result.steps["blocked"]).toMatchObject({ status: "failed" })
        expect(result.steps["blocked"]!.reason).toMatch(/^save: cannot make .*a-file\/sub: /)
        expect(result.steps["other"]).toMatchObject({ status: "ok" })
      }))

    it.effect("an unknown placeholder or an empty directory is a workflow error naming the field", () =>
      Effect.gen(function*() {
        const bad = yield* Effect.either(Workflow.make({
          steps: { s: { request: "http://127.0.0.1:1/", save: { dir: "d", name: "{nope}" } } }
        }))
        expect(Either.isLeft(bad) && bad.left.message).toMatch(/step 's' field 'save': unknown placeholder \{nope\}/)
        const empty = yield* Effect.either(
          Workflow.make({ steps: { s: { request: "http://127.0.0.1:1/", save: "" } } })
        )
        expect(Either.isLeft(empty) && empty.left.message).toMatch(/step 's' field 'save': expected a directory/)
      }))
  }
)
