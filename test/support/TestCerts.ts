/**
 * Certificates made at run time with `openssl` (no key is committed): a CA, a server
 * certificate it signs (for 127.0.0.1, ::1 and localhost), a self-signed server certificate,
 * and a client certificate the CA signs. EC keys, so making them takes milliseconds.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface TestCerts {
  readonly ca: string
  readonly serverCert: string
  readonly serverKey: string
  readonly selfSignedCert: string
  readonly selfSignedKey: string
  readonly clientCert: string
  readonly clientKey: string
  /** The directory holding them as files (`ca.pem`, `client.pem`, `client-key.pem`, `both.pem`). */
  readonly dir: string
}

let made: TestCerts | undefined

const san = "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"

/** The certificates, made once per test file (the directory is removed when the process ends). */
export const testCerts = (): TestCerts => {
  if (made !== undefined) return made
  const dir = mkdtempSync(join(tmpdir(), "volley-certs-"))
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
  const run = (...args: Array<string>) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })
  const key = (name: string) => run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}-key.pem`)
  key("ca")
  run("req", "-x509", "-new", "-key", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=volley test CA")
  const signed = (name: string, cn: string, ext: string) => {
    key(name)
    run("req", "-new", "-key", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`)
    writeFileSync(join(dir, `${name}.ext`), ext)
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`
    )
  }
  signed("server", "localhost", `${san}\n`)
  signed("client", "volley client", "extendedKeyUsage=clientAuth\n")
  key("self")
  run(
    "req",
    "-x509",
    "-new",
    "-key",
    "self-key.pem",
    "-out",
    "self.pem",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    san
  )
  const read = (file: string) => readFileSync(join(dir, file), "utf8")
  writeFileSync(join(dir, "both.pem"), read("client.pem") + read("client-key.pem"))
  made = {
    ca: read("ca.pem"),
    serverCert: read("server.pem"),
    serverKey: read("server-key.pem"),
    selfSignedCert: read("self.pem"),
    selfSignedKey: read("self-key.pem"),
    clientCert: read("client.pem"),
    clientKey: read("client-key.pem"),
    dir
  }
  return made
}
