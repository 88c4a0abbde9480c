/**
 * A plain `node:http` server on 127.0.0.1 for the life of a test's scope, counting the requests
 * it gets; `firstRequest` completes when one arrives (to wait on an event, not a sleep).
 */
import { Deferred, Effect } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface LoopbackServer {
  readonly url: string
  readonly hits: () => number
  readonly firstRequest: Deferred.Deferred<void>
}

export const startLoopbackServer = (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
  Effect.gen(function*() {
    const firstRequest = yield* Deferred.make<void>()
    let hits = 0
    const server = yield* Effect.acquireRelease(
      Effect.async<ReturnType<typeof createServer>>((resume) => {
        const s = createServer((req, res) => {
          hits++
          Deferred.unsafeDone(firstRequest, Effect.void)
          handler(req, res)
        })
        s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
      }),
      (s) =>
        Effect.sync(() => {
          s.closeAllConnections()
          s.close()
        })
    )
    const { port } = server.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, hits: () => hits, firstRequest } satisfies LoopbackServer
  })

/** Answers `{}` after `delayMs` (0: at once). */
export const jsonAfter = (delayMs: number) => (_: IncomingMessage, res: ServerResponse) => {
  const answer = () => res.writeHead(200, { "content-type": "application/json" }).end("{}")
  if (delayMs === 0) answer()
  else setTimeout(answer, delayMs)
}
