/**
 * A workflow's later steps read an earlier step's response headers and final URL in templates,
 * against a loopback server: a token in a header, a `Link`-style next page after a redirect.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Fetcher } from "../../src/http/Fetcher.js"
import { undiciLayer } from "../../src/http/TransportLayer.js"
import * as Workflow from "../../src/workflow/Workflow.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

const handler = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === "/login") return res.writeHead(200, { "x-token": "t0k3n", "content-type": "text/plain" }).end("ok")
  if (req.url === "/moved") return res.writeHead(302, { location: "/landing" }).end()
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify({ path: req.url, token: req.headers["x-auth"] ?? null }))
}

describe("workflow templates and response metadata", () => {
  it.scoped("a header of one step and the final URL of another feed the next step", () =>
    Effect.gen(function*() {
      const server = yield* startLoopbackServer(handler)
      const workflow = yield* Workflow.make({
        vars: { base: server.url },
        steps: {
          login: Workflow.request("{{ vars.base }}/login"),
          moved: Workflow.request("{{ vars.base }}/moved"),
          me: Workflow.request({ url: "{{ vars.base }}/me", headers: { "X-Auth": "{{ login.headers.\"x-token\" }}" } }),
          where: Workflow.request("{{ moved.finalUrl }}/next")
        }
      })
      const result = yield* runWorkflowSteps(workflow)
      expect(result.steps["me"]!.records).toMatchObject({ ok: true, body: { path: "/me", token: "t0k3n" } })
      expect(result.steps["where"]!.records).toMatchObject({ ok: true, body: { path: "/landing/next" } })
    }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(undiciLayer())))))
})
