/**
 * A workflow run keeps one cookie jar, on both transports against a loopback server: a
 * `Set-Cookie` from a redirect hop or a step is sent on later matching requests, by path and
 * `Secure`; runs do not share jars.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Fetcher } from "../../src/http/Fetcher.js"
import { httpClientTransportLayer, undiciLayer } from "../../src/http/TransportLayer.js"
import * as Workflow from "../../src/workflow/Workflow.js"
import { runWorkflowSteps } from "../../src/workflow/WorkflowRunner.js"
import { startLoopbackServer } from "../support/LoopbackServer.js"

const handler = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === "/login") {
    // The session cookie comes on the redirect hop, as many logins do.
    return res.writeHead(302, {
      location: "/home",
      "set-cookie": ["session=abc; Path=/; HttpOnly", "admin=1; Path=/admin", "secure=1; Path=/; Secure"]
    }).end()
  }
  if (req.url === "/prefs") return res.writeHead(200, { "set-cookie": "theme=dark; Path=/" }).end("ok")
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify({ path: req.url, cookie: req.headers.cookie ?? null }))
}

const lanes = {
  fast: undiciLayer(),
  generic: httpClientTransportLayer.pipe(Layer.provide(undiciLayer()))
}

for (const lane of ["fast", "generic"] as const) {
  describe(`workflow cookies (${lane} transport)`, () => {
    it.scopedLive("Set-Cookie from a redirect hop and from a step is sent on the later steps", () =>
      Effect.gen(function*() {
        const server = yield* startLoopbackServer(handler)
        const workflow = yield* Workflow.make({
          vars: { base: server.url },
          steps: {
            login: Workflow.request("{{ vars.base }}/login"),
            prefs: Workflow.request("{{ vars.base }}/prefs", { needs: ["login"] }),
            me: Workflow.request("{{ vars.base }}/me", { needs: ["prefs"] }),
            admin: Workflow.request("{{ vars.base }}/admin/x", { needs: ["prefs"] })
          }
        })
        const result = yield* runWorkflowSteps(workflow)
        // The redirect's target already got the cookie set on the hop.
        expect(result.steps["login"]!.records).toMatchObject({
          body: { path: "/home", cookie: "session=abc; secure=1" }
        })
        expect(result.steps["me"]!.records).toMatchObject({ body: { cookie: "session=abc; secure=1; theme=dark" } })
        // Path=/admin goes only there. (A Secure cookie goes to loopback over http: browsers count
        // 127.0.0.1 as a secure context, and so does tough-cookie.)
        expect(result.steps["admin"]!.records).toMatchObject({
          body: { cookie: "admin=1; session=abc; secure=1; theme=dark" }
        })
        expect(result.steps["me"]!.records).not.toMatchObject({ body: { cookie: expect.stringContaining("admin") } })
        // Another run starts with an empty jar.
        const alone = yield* Workflow.make({
          vars: { base: server.url },
          steps: { me: Workflow.request("{{ vars.base }}/me") }
        })
        expect((yield* runWorkflowSteps(alone)).steps["me"]!.records).toMatchObject({ body: { cookie: null } })
      }).pipe(Effect.provide(Fetcher.Default.pipe(Layer.provide(lanes[lane])))))
  })
}
