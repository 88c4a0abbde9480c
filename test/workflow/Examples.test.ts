/**
 * The example workflows in examples/workflows, run against the embedded demo API.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Fetcher } from "../../src/http/Fetcher.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import { startDemoServer } from "../../src/server/DemoServer.js"
import { loadWorkflowFile } from "../../src/workflow/WorkflowFile.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"

const Live = Layer.mergeAll(NodeContext.layer, Fetcher.Default.pipe(Layer.provide(undiciLayer())))

layer(Live, { excludeTestServices: true })("example workflows", (it) => {
  for (const name of ["posts-of-users", "parallel-branches", "flaky-and-limited", "api-checks"]) {
    it.scoped(`${name}.yaml runs, every step ok`, () =>
      Effect.gen(function*() {
        const server = yield* startDemoServer()
        const workflow = yield* loadWorkflowFile(`examples/workflows/${name}.yaml`, { base: server.url })
        const result = yield* runWorkflowSteps(workflow)
        expect(Object.values(result.steps).map((s) => [s.name, s.status])).toEqual(
          workflow.waves.flat().map((step) => [step, "ok"])
        )
        if (name === "parallel-branches") {
          expect(result.steps["numbers"]!.records).toMatchObject({ value: "12\n49\n86\n23\n60" })
        }
      }), 20_000)
  }
})
