/**
 * A loopback server whose answers are built to break clients: every case in {@link hostileCases}
 * is one path, and the README's reliability section lists them with what volley does for each.
 * Plain `node:http`, so a case can send what a framework would refuse to.
 */
import { Effect } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One hostile answer: its path, what it sends, and what volley is expected to make of it. */
export interface HostileCase {
  readonly path: string
  readonly sends: string
  /** The record volley writes: ok, or the error tag. */
  readonly expect: "ok" | "DecodeError" | "StatusError" | "TransportError" | "ExtractError"
  /**
   * The answer pauses its host past `--max-backoff`, so the host's other records fail too
   * (`RateLimited`): give it a server of its own.
   */
  readonly ownHost?: true
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void
}

const send = (response: ServerResponse, status: number, contentType: string, body: string | Buffer) => {
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) })
  response.end(body)
}

const json = (body: string, status = 200) => (_: IncomingMessage, response: ServerResponse) =>
  send(response, status, "application/json", body)

/** The hostile answers, by path. */
export const hostileCases: ReadonlyArray<HostileCase> = [
  {
    path: "/deep-json",
    sends: "a JSON array nested 200,000 deep (400 KB)",
    expect: "DecodeError",
    handle: json("[".repeat(200_000) + "]".repeat(200_000))
  },
  {
    path: "/big-integer",
    sends: "`{\"id\":9223372036854775808}` (2^63)",
    expect: "ok",
    handle: json("{\"id\":9223372036854775808}")
  },
  {
    path: "/huge-number",
    sends: "`[1000…0]`: 1 followed by 5,000,000 zeros",
    expect: "ok",
    handle: json(`[1${"0".repeat(5_000_000)}]`)
  },
  {
    path: "/pretty-json",
    sends: "pretty-printed JSON with CRLF line breaks and escapes (`\\u2028`, `\\ud800`)",
    expect: "ok",
    handle: json("{\r\n  \"a\": \"x\\u2028y\",\r\n  \"lone\": \"\\ud800\",\n  \"n\": 1.50\n}\n")
  },
  {
    path: "/truncated-json",
    sends: "`application/json` that is cut short (`{\"a\":[1,2`)",
    expect: "ok",
    handle: json("{\"a\":[1,2")
  },
  {
    path: "/empty-json",
    sends: "`application/json` with an empty body",
    expect: "ok",
    handle: json("")
  },
  {
    path: "/control-text",
    sends: "text with NUL, ESC and other control characters",
    expect: "ok",
    handle: (_, response) => send(response, 200, "text/plain", "a\u0000b\u001b[31mc\u0007\r\nd")
  },
  {
    path: "/deep-html",
    sends: "HTML nested 20,000 `<div>`s deep",
    expect: "ok",
    handle: (_, response) => send(response, 200, "text/html", "<div>".repeat(20_000) + "x")
  },
  {
    path: "/retry-after-day",
    sends: "`503` with `Retry-After: 86400`",
    expect: "StatusError",
    ownHost: true,
    handle: (_, response) => {
      response.writeHead(503, { "retry-after": "86400", "content-type": "text/plain" })
      response.end("come back tomorrow")
    }
  },
  {
    path: "/retry-after-garbage",
    sends: "`400` with `Retry-After: -5, soon` and a `RateLimit-Reset: -1`",
    expect: "StatusError",
    handle: (_, response) => {
      response.writeHead(400, { "retry-after": "-5, soon", "ratelimit-remaining": "0", "ratelimit-reset": "-1" })
      response.end()
    }
  },
  {
    path: "/ratelimit-forever",
    sends: "`200` with `RateLimit-Remaining: 0` and `RateLimit-Reset: 99999999`",
    expect: "ok",
    ownHost: true,
    handle: (_, response) => {
      response.writeHead(200, { "ratelimit-remaining": "0", "ratelimit-reset": "99999999" })
      response.end("last one")
    }
  },
  {
    path: "/reset",
    sends: "a connection closed before any answer",
    expect: "TransportError",
    handle: (request) => request.socket.destroy()
  },
  {
    path: "/short-body",
    sends: "a `content-length` longer than the body, then the connection closed",
    expect: "TransportError",
    handle: (_, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
      response.write("{\"a\":1")
      setImmediate(() => response.socket?.destroy())
    }
  },
  {
    path: "/many-headers",
    sends: "200 headers of 100 bytes each (past undici's 16 KiB header limit)",
    expect: "TransportError",
    handle: (_, response) => {
      for (let i = 0; i < 200; i++) response.setHeader(`x-h${i}`, "v".repeat(100))
      send(response, 200, "text/plain", "ok")
    }
  }
]

const byPath = new Map(hostileCases.map((c) => [c.path, c]))

/** An answer made up by a property test, sent by `/fuzz?spec=…` (base64url of its JSON). */
export interface FuzzAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The body's bytes, base64. */
  readonly body: string
}

/** The URL path that makes the server send `answer`. */
export const fuzzPath = (answer: FuzzAnswer): string =>
  `/fuzz?spec=${Buffer.from(JSON.stringify(answer)).toString("base64url")}`

const sendFuzz = (request: IncomingMessage, response: ServerResponse) => {
  const spec = new URL(request.url ?? "/", "http://x").searchParams.get("spec") ?? ""
  const answer = JSON.parse(Buffer.from(spec, "base64url").toString()) as FuzzAnswer
  const body = Buffer.from(answer.body, "base64")
  try {
    response.writeHead(answer.status, { ...answer.headers, "content-length": body.length })
  } catch {
    // A header Node itself refuses to send: the answer is a plain 500 instead.
    response.writeHead(500, { "content-length": body.length })
  }
  response.end(body)
}

/** Starts the hostile server on 127.0.0.1 for the scope; its base URL. `/ok/N` answers `{"n":N}`. */
export const startHostileServer = Effect.acquireRelease(
  Effect.async<{ readonly server: ReturnType<typeof createServer>; readonly url: string }>((resume) => {
    const server = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0]!
      const hostile = byPath.get(path)
      if (hostile !== undefined) return hostile.handle(request, response)
      if (path === "/fuzz") return sendFuzz(request, response)
      const ok = /^\/ok\/(\d+)$/.exec(path)
      if (ok !== null) return send(response, 200, "application/json", `{"n":${ok[1]}}`)
      send(response, 404, "text/plain", "no such case")
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ server, url: `http://127.0.0.1:${port}` }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ url }) => url))
