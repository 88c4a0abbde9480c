/**
 * Loopback servers for the connection tests, each living as long as the test's scope: HTTPS
 * (`node:https`), HTTP/2 (`node:http2`, h2 only or h2 + HTTP/1.1), plain HTTP on a host or a
 * unix socket, and a forward proxy (`node:http`: absolute-form requests and `CONNECT` tunnels).
 * Every origin server answers with JSON: `{ path, httpVersion, headers, clientPort }`.
 */
import { Effect } from "effect"
import * as http from "node:http"
import * as http2 from "node:http2"
import * as https from "node:https"
import * as net from "node:net"
import { gzipSync } from "node:zlib"

type Handler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse
) => void

const answer: Handler = (req, res) => {
  // The client's port tells connections apart.
  const body = JSON.stringify({
    path: req.url,
    httpVersion: req.httpVersion,
    headers: req.headers,
    clientPort: req.socket.remotePort
  })
  // A redirect to the echo, and the echo gzip-encoded (when the client offers it).
  if (req.url === "/redirect") {
    res.writeHead(302, { location: "/after-redirect" })
    return void res.end()
  }
  // Two cookies (a repeated header), then a redirect to the echo (which shows the Cookie sent).
  if (req.url === "/set-cookie") {
    res.writeHead(302, { location: "/after-cookie", "set-cookie": ["a=1; Path=/", "b=2; Path=/"] })
    return void res.end()
  }
  if (req.url === "/gzip" && /gzip/.test(String(req.headers["accept-encoding"] ?? ""))) {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
    return void res.end(gzipSync(body))
  }
  if (req.method === "POST") {
    let received = ""
    req.on("data", (chunk: Buffer) => (received += chunk.toString()))
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ path: req.url, httpVersion: req.httpVersion, received }))
    })
    return
  }
  res.writeHead(200, { "content-type": "application/json" })
  res.end(body)
}

const shown = (host: string) => (host.includes(":") ? `[${host}]` : host)

/** Listens on `host` (or the unix socket `path`) for the scope; the server's base URL (or path). */
const listen = (server: net.Server, where: { readonly host: string } | { readonly path: string }, scheme: string) =>
  Effect.acquireRelease(
    Effect.async<string, Error>((resume) => {
      server.once("error", (error) => resume(Effect.fail(error)))
      const ready = () => {
        if ("path" in where) return resume(Effect.succeed(where.path))
        const { port } = server.address() as net.AddressInfo
        resume(Effect.succeed(`${scheme}://${shown(where.host)}:${port}`))
      }
      if ("path" in where) server.listen(where.path, ready)
      else server.listen(0, where.host, ready)
    }),
    () =>
      Effect.async<void>((resume) => {
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
        server.close(() => resume(Effect.void))
      })
  )

/** A plain HTTP server on `host` (`::1` for an IPv6-only listener). */
export const httpServer = (host = "127.0.0.1") => listen(http.createServer(answer), { host }, "http")

/** A plain HTTP server on a unix socket at `path`. */
export const unixSocketServer = (path: string) => listen(http.createServer(answer), { path }, "http")

/** An HTTPS server with `options` (certificate, client-certificate demands…). */
export const httpsServer = (options: https.ServerOptions, host = "127.0.0.1") =>
  listen(https.createServer(options, answer), { host }, "https")

/** An HTTP/2 server over TLS; `allowHTTP1: false` makes it h2 only. */
export const http2Server = (options: http2.SecureServerOptions) => {
  const server = http2.createSecureServer(options, answer)
  // A refused session must not crash the test.
  server.on("sessionError", () => {})
  return listen(server, { host: "127.0.0.1" }, "https")
}

/** What the proxy saw: absolute-form requests, CONNECT targets, credentials. */
export interface ProxyLog {
  readonly requests: Array<string>
  readonly tunnels: Array<string>
  readonly authorizations: Array<string | undefined>
}

/**
 * A forward proxy: `GET http://host/path` is forwarded, `CONNECT host:port` tunnels. With
 * `credentials` (`user:password`), anything without the matching `Proxy-Authorization` gets 407.
 */
export const proxyServer = (credentials?: string) =>
  Effect.gen(function*() {
    const log: ProxyLog = { requests: [], tunnels: [], authorizations: [] }
    const expected = credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString("base64")}`
    const allowed = (header: string | undefined) => {
      log.authorizations.push(header)
      return expected === undefined || header === expected
    }
    const server = http.createServer((req, res) => {
      if (!allowed(req.headers["proxy-authorization"])) {
        res.writeHead(407, { "proxy-authenticate": "Basic realm=\"test\"" })
        return void res.end()
      }
      log.requests.push(`${req.method} ${req.url}`)
      const target = new URL(req.url ?? "")
      const headers = { ...req.headers }
      delete headers["proxy-authorization"]
      delete headers["proxy-connection"]
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers
        },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers)
          reply.pipe(res)
        }
      )
      upstream.on("error", () => {
        res.writeHead(502)
        res.end()
      })
      req.pipe(upstream)
    })
    server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      client.on("error", () => {})
      if (!allowed(req.headers["proxy-authorization"])) {
        return void client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
      }
      log.tunnels.push(req.url ?? "")
      const [host, port] = [req.url!.slice(0, req.url!.lastIndexOf(":")), req.url!.slice(req.url!.lastIndexOf(":") + 1)]
      const upstream = net.connect(Number(port), host.replace(/^\[|\]$/g, ""), () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
        if (head.length > 0) upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on("error", () => client.destroy())
      client.on("close", () => upstream.destroy())
    })
    const url = yield* listen(server, { host: "127.0.0.1" }, "http")
    return { url, log }
  })
