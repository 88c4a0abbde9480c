/** A workflow's `decompress`, in `defaults` and per step, against a real loopback server. */
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { acceptEncoding } from "../../src/http/Decompression.js"
import { Fetcher } from "../../src/http/Fetcher.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import * as Workflow from "../../src/workflow/Workflow.js"
import { workflowOutput } from "../../src/workflow/WorkflowOutput.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"
import { startRealWebServer } from "../support/RealWebServer.js"

layer(Fetcher.Default.pipe(Layer.provide(undiciLayer({ env: {} }))), { excludeTestServices: true })(
  "workflow decompress",
  (it) => {
    it.scoped("defaults turn decoding off; a step turns it back on", () =>
      Effect.gen(function*() {
        const { url } = yield* startRealWebServer()
        const workflow = yield* Workflow.make({
          vars: { base: url },
          defaults: { decompress: false },
          steps: {
            off: { request: "{{ vars.base }}/echo" },
            raw: { request: "{{ vars.base }}/gzip" },
            on: { request: "{{ vars.base }}/echo", decompress: true }
          }
        })
        const steps = workflowOutput(yield* runWorkflowSteps(workflow)).steps as Record<
          string,
          { body: { headers?: Record<string, string> }; bodyEncoding?: string }
        >
        expect(steps["off"]!.body.headers!["accept-encoding"]).toBeUndefined()
        expect(steps["raw"]!.bodyEncoding).toBe("base64")
        expect(steps["on"]!.body.headers!["accept-encoding"]).toBe(acceptEncoding)
      }))
  }
)
