/**
 * Processes of a cluster test: the built CLI started as a child (its stderr watched, so a test
 * waits on what it prints, never on sleeps), and free ports for workers' runner sockets.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** The environment of a cluster test's processes: no colour, and a dead worker's buckets moving after 3 s. */
export const clusterEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", VOLLEY_CLUSTER_LOCK_EXPIRY: "3s" }

/** A running CLI process, its output so far, and its exit. */
export interface Running {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly stderrShows: (text: string) => Promise<void>
  readonly exit: Promise<number | null>
}

/** `node bin/volley.js ...args` with `env`. */
export const startCli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Running => {
  const child = spawn("node", ["bin/volley.js", ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
  let errors = ""
  let out = ""
  const waiting: Array<{ text: string; resolve: () => void }> = []
  child.stdout!.setEncoding("utf8").on("data", (text: string) => out += text)
  child.stderr!.setEncoding("utf8").on("data", (text: string) => {
    errors += text
    for (const w of waiting.splice(0)) {
      if (errors.includes(w.text)) w.resolve()
      else waiting.push(w)
    }
  })
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => {
      if (signal !== null) errors += `\n(ended by ${signal})`
      resolve(code)
    })
  )
  return {
    child,
    stdout: () => out,
    stderr: () => errors,
    stderrShows: (text) =>
      errors.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve })),
    exit
  }
}

/** Whether the process is still running. */
export const alive = (running: Running) => running.child.exitCode === null && running.child.signalCode === null

/** A port free on 127.0.0.1 now: taken from the OS, then released. */
export const freePort = async (): Promise<number> => {
  const probe = createServer().listen(0, "127.0.0.1")
  await once(probe, "listening")
  const port = (probe.address() as AddressInfo).port
  probe.close()
  await once(probe, "close")
  return port
}
