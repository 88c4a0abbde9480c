/**
 * `volley run` in process against the demo API: why a step failed in the text output, set-up
 * errors before any request, and `--format json -o FILE` writing the file only.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { type DemoServer, startDemoServer } from "../../src/server/DemoServer.js"
import { runInProcess } from "../support/InProcessCli.js"

class Demo extends Context.Tag("test/Demo")<Demo, DemoServer>() {}
const DemoLive = Layer.scoped(Demo, startDemoServer())

const workflowFile = (text: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.writeFileString(`${dir}/flow.yaml`, text)
    return { dir, path: `${dir}/flow.yaml` }
  })

layer(Layer.mergeAll(DemoLive, NodeContext.layer), { excludeTestServices: true })("volley run (in process)", (it) => {
  it.scoped("the text output says why a step failed: the error's tag, message and first failing URL", () =>
    Effect.gen(function*() {
      const { url } = yield* Demo
      const { path } = yield* workflowFile(
        `vars: {base: "${url}"}\nsteps:\n  ok:\n    request: "{{ vars.base }}/json/1"\n` +
          `  missing:\n    request: "{{ vars.base }}/status/404"\n`
      )
      const result = yield* runInProcess(["run", path])
      expect(result.code).toBe(1)
      expect(result.stdout).toContain(`↳ StatusError: HTTP 404 Not Found (${url}/status/404)`)
    }))

  it.scoped("an unknown var or key is a set-up error (exit 2) before any request", () =>
    Effect.gen(function*() {
      const { stats, url } = yield* Demo
      stats.reset()
      const unknownVar = yield* workflowFile(`vars: {base: "${url}"}\nsteps:\n  a:\n    request: "{{ vars.bsae }}/x"\n`)
      const result = yield* runInProcess(["run", unknownVar.path])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/refers to unknown variable 'vars.bsae'; did you mean 'base'\?/)
      const typo = yield* workflowFile(`steps:\n  a:\n    request: "${url}/x"\n    retires: 2\n`)
      const typoResult = yield* runInProcess(["run", typo.path])
      expect(typoResult.code).toBe(2)
      expect(typoResult.stderr).toMatch(/unknown key 'retires'; did you mean 'retries'\?/)
      // --var supplies a variable the file does not define.
      const given = yield* runInProcess(["run", unknownVar.path, "--var", `bsae=${url}`, "--dry-run"])
      expect(given.code).toBe(0)
      expect(stats.snapshot().requests).toBe(0)
    }))

  it.scoped("--cluster: an empty --id and connection flags are set-up errors (exit 2), before any database is reached", () =>
    Effect.gen(function*() {
      const { stats, url } = yield* Demo
      stats.reset()
      const { path } = yield* workflowFile(`steps:\n  a:\n    request: "${url}/json/1"\n`)
      // Port 1: nothing listens there, so reaching the database would fail differently.
      const cluster = "postgres://postgres@127.0.0.1:1/none"
      const empty = yield* runInProcess(["run", path, "--cluster", cluster, "--id", ""])
      expect(empty.code).toBe(2)
      expect(empty.stderr.trim()).toBe("volley: --id: the execution key must not be empty")
      const connecting = yield* runInProcess(["run", path, "--cluster", cluster, "--insecure"])
      expect(connecting.code).toBe(2)
      expect(connecting.stderr.trim()).toBe(
        "volley: --cluster: the workers make the connections; give --insecure to volley worker"
      )
      expect(stats.snapshot().requests).toBe(0)
    }))

  it.scoped("--format json -o FILE writes the JSON to the file and nothing to stdout", () =>
    Effect.gen(function*() {
      const { url } = yield* Demo
      const { dir, path } = yield* workflowFile(`steps:\n  a:\n    request: "${url}/json/1"\n`)
      const result = yield* runInProcess(["run", path, "--format", "json", "-o", `${dir}/out.json`])
      expect(result.code).toBe(0)
      expect(result.stdout).toBe("")
      const written = JSON.parse(yield* (yield* FileSystem.FileSystem).readFileString(`${dir}/out.json`))
      expect(written.steps.a).toMatchObject({ ok: true, status: 200 })
    }))
})
