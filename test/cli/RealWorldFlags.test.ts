/**
 * The real-world HTTP flags of the CLI (in process): compression, binary bodies, TLS, HTTP/2,
 * proxies, unix sockets — against servers made in the test — and bad flags (exit 2, one line).
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runInProcess } from "../support/InProcessCli.js"
import { sample, startRealWebServer } from "../support/RealWebServer.js"
import { testCerts } from "../support/TestCerts.js"
import { http2Server, httpsServer, proxyServer, unixSocketServer } from "../support/TestServers.js"

const certs = testCerts()
const signed = { cert: certs.serverCert, key: certs.serverKey }
const records = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)

layer(NodeContext.layer, { excludeTestServices: true })("volley fetch on the real web", (it) => {
  describe("bodies", () => {
    it.scoped("decodes compressed bodies; --no-decompress keeps them as sent; a bomb is BodyTooLarge", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const decoded = yield* runInProcess(["fetch", `${url}/gzip`, `${url}/br`, `${url}/stacked`, "--no-progress"])
        expect(decoded.code).toBe(0)
        expect(records(decoded.stdout).map((r) => r["body"])).toEqual([1, 2, 3].map(() => JSON.parse(sample)))
        const raw = yield* runInProcess(["fetch", `${url}/gzip`, "--no-decompress", "--no-progress"])
        expect(records(raw.stdout)[0]).toMatchObject({ ok: true, bodyEncoding: "base64" })
        const bomb = yield* runInProcess(["fetch", `${url}/bomb`, "--max-body", "1MiB", "--no-progress"])
        expect(bomb.code).toBe(1)
        expect(records(bomb.stdout)[0]).toMatchObject({
          ok: false,
          error: { _tag: "BodyTooLarge", message: "decoded body is larger than the 1MiB limit" }
        })
      }))

    it.scoped("binary bodies are base64 in NDJSON and say so in CSV", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const ndjson = yield* runInProcess(["fetch", `${url}/png`, `${url}/latin1`, "--no-progress"])
        const [png, latin1] = records(ndjson.stdout)
        expect(png).toMatchObject({ body: "iVBORw0KGgoAAAANSUhEUg==", bodyEncoding: "base64" })
        expect(latin1).toMatchObject({ body: "café" })
        expect(latin1).not.toHaveProperty("bodyEncoding")
        const csv = yield* runInProcess(["fetch", `${url}/png`, "--format", "csv", "--no-progress"])
        expect(csv.stdout.trim().split("\n")[1]).toMatch(/,base64$/)
      }))
  })

  describe("connections", () => {
    it.scoped("TLS: a self-signed server fails in one line, not retried; -k and --cacert fix it", () =>
      Effect.gen(function*() {
        const self = yield* httpsServer({ cert: certs.selfSignedCert, key: certs.selfSignedKey })
        const failed = yield* runInProcess(["fetch", self, "--no-progress"])
        expect(records(failed.stdout)[0]).toMatchObject({
          ok: false,
          attempts: 1,
          error: {
            _tag: "TransportError",
            message: "self-signed certificate for 127.0.0.1; pass --cacert or --insecure (DEPTH_ZERO_SELF_SIGNED_CERT)"
          }
        })
        expect((yield* runInProcess(["fetch", self, "-k", "--no-progress"])).code).toBe(0)
        const privateCa = yield* httpsServer({ ...signed, ca: certs.ca, requestCert: true, rejectUnauthorized: true })
        const withCert = yield* runInProcess([
          "fetch",
          privateCa,
          "--cacert",
          join(certs.dir, "ca.pem"),
          "--cert",
          join(certs.dir, "both.pem"),
          "--no-progress"
        ])
        expect(withCert.code).toBe(0)
      }))

    it.scoped("--http2 against an h2-only server", () =>
      Effect.gen(function*() {
        const url = yield* http2Server({ ...signed, allowHTTP1: false })
        const result = yield* runInProcess([
          "fetch",
          url,
          "--http2",
          "--cacert",
          join(certs.dir, "ca.pem"),
          "--no-progress"
        ])
        expect(records(result.stdout)[0]).toMatchObject({ ok: true, body: { httpVersion: "2.0" } })
      }))

    it.scoped("--proxy and HTTPS_PROXY: CONNECT for https; credentials never printed", () =>
      Effect.gen(function*() {
        const proxy = yield* proxyServer("u:hunter2")
        const target = yield* httpsServer(signed)
        const ca = join(certs.dir, "ca.pem")
        const proxied = proxy.url.replace("http://", "http://u:hunter2@")
        const viaFlag = yield* runInProcess(["fetch", target, "--proxy", proxied, "--cacert", ca, "--no-progress"])
        expect(viaFlag.code).toBe(0)
        const viaEnv = yield* runInProcess(["fetch", target, "--cacert", ca, "--no-progress"], {
          env: { HTTPS_PROXY: proxied }
        })
        expect(viaEnv.code).toBe(0)
        expect(proxy.log.tunnels).toHaveLength(2)
        const refused = yield* runInProcess(["fetch", target, "--cacert", ca, "--retries", "0", "--no-progress"], {
          env: { HTTPS_PROXY: proxy.url.replace("http://", "http://u:wrong-secret@") }
        })
        expect(refused.code).toBe(1)
        expect(refused.stdout + refused.stderr).not.toContain("wrong-secret")
      }))

    it.scoped("--unix-socket", () =>
      Effect.gen(function*() {
        const dir = mkdtempSync(join(tmpdir(), "volley-sock-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
        const path = yield* unixSocketServer(join(dir, "s.sock"))
        const result = yield* runInProcess(["fetch", "http://svc/health", "--unix-socket", path, "--no-progress"])
        expect(records(result.stdout)[0]).toMatchObject({ ok: true, body: { path: "/health" } })
      }))
  })

  it.effect("bad connection flags: exit 2 and one line", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--proxy", "ftp://u:pw@x"], "volley: --proxy: not an http://, https:// or socks5:// proxy URL: ftp://***@x/"],
        [["--cacert", "/nonexistent.pem"], "volley: --cacert /nonexistent.pem: cannot read the file"],
        [["--key", join(certs.dir, "client-key.pem")], "volley: --key needs --cert"],
        [["--cert", join(certs.dir, "client.pem")], "volley: --cert: the file holds no key; add --key FILE"],
        [["--cacert", "package.json"], "volley: --cacert package.json: not a PEM file (no -----BEGIN line)"]
      ]
      for (const [flags, message] of cases) {
        const result = yield* runInProcess(["fetch", "http://127.0.0.1:1/", ...flags, "--no-progress"])
        expect(result.code).toBe(2)
        expect(result.stderr).toBe(message + "\n")
      }
    }))
})
