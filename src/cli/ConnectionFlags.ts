/**
 * The flags of how volley talks to servers — shared by `fetch`, `run` and `compare`: proxies,
 * TLS, HTTP/2, a unix socket — turned into the HTTP client layer they describe. Files are read
 * here; a flag that makes no sense is a `UsageError` (one line, exit 2).
 *
 * @module
 */
import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { UsageError } from "../domain/UsageError.js"
import { checkProxyUrl, proxyVariables } from "../http/ProxyConfig.js"
import type { TlsSettings } from "../http/TlsOptions.js"
import type { Transport } from "../http/Transport.js"
import { undiciLayer } from "../http/TransportLayer.js"
import type { PoolOptions } from "../http/UndiciAgent.js"
import { optionalText } from "./OptionParsers.js"

export const connectionOptions = {
  proxy: optionalText(
    "proxy",
    "URL",
    "send through this proxy (http://[user:password@]host:port); \"\" for none [default: HTTP(S)_PROXY]",
    "x"
  ),
  noProxy: optionalText(
    "noproxy",
    "LIST",
    "hosts reached directly, besides NO_PROXY: example.com,.internal,host:8080,*"
  ),
  insecure: Options.boolean("insecure").pipe(
    Options.withAlias("k"),
    Options.withDescription("do not verify server certificates (test servers only)")
  ),
  cacert: optionalText("cacert", "FILE", "trust the CA certificates in this PEM file, besides the system's"),
  cert: optionalText("cert", "FILE", "client certificate (PEM); it may hold the key too"),
  key: optionalText("key", "FILE", "the client certificate's key (PEM)"),
  http2: Options.boolean("http2").pipe(
    Options.withDescription("offer HTTP/2 over TLS and use it when the server agrees (default: HTTP/1.1)")
  ),
  unixSocket: optionalText(
    "unix-socket",
    "PATH",
    "send every request over this unix socket (the URL gives host and path)"
  )
} as const

/** The connection flags' group in each command's help. */
export const connectionHelpGroup = [
  "Connection",
  ["--proxy", "--noproxy", "--insecure", "--cacert", "--cert", "--key", "--http2", "--unix-socket"]
] as const

export type ConnectionFlags = Command.Command.ParseConfig<typeof connectionOptions>

/** `--no-decompress`, for the commands whose requests are built from flags. */
export const noDecompressOption = Options.boolean("no-decompress").pipe(
  Options.withDescription("send no Accept-Encoding and keep bodies as sent (compressed)")
)

const readPem = (flag: string, path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError(() => new UsageError({ message: `--${flag} ${path}: cannot read the file` }))
    )
    if (!text.includes("-----BEGIN ")) {
      return yield* new UsageError({ message: `--${flag} ${path}: not a PEM file (no -----BEGIN line)` })
    }
    return text
  })

/** The proxy variables, read through `Config`: the environment, or the provider a test gives. */
const proxyEnv = Effect.map(
  Effect.forEach(proxyVariables, (name) =>
    Config.option(Config.string(name)).pipe(
      Effect.map((value) => [name, Option.getOrUndefined(value)] as const),
      Effect.orElseSucceed(() => [name, undefined] as const)
    )),
  (entries): Readonly<Record<string, string | undefined>> => Object.fromEntries(entries)
)

/** The pool options the flags describe (files read, proxy URL checked). */
export const poolOptionsFrom = (
  flags: ConnectionFlags
): Effect.Effect<PoolOptions, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (Option.isSome(flags.key) && Option.isNone(flags.cert)) {
      return yield* new UsageError({ message: "--key needs --cert" })
    }
    if (Option.isSome(flags.proxy)) {
      const checked = checkProxyUrl(flags.proxy.value)
      if (checked._tag === "Left") return yield* new UsageError({ message: `--proxy: ${checked.left}` })
    }
    if (Option.isSome(flags.unixSocket) && flags.unixSocket.value === "") {
      return yield* new UsageError({ message: "--unix-socket: expected a path" })
    }
    const ca = Option.isSome(flags.cacert) ? yield* readPem("cacert", flags.cacert.value) : undefined
    const cert = Option.isSome(flags.cert) ? yield* readPem("cert", flags.cert.value) : undefined
    const key = Option.isSome(flags.key) ? yield* readPem("key", flags.key.value) : undefined
    if (cert !== undefined && key === undefined && !cert.includes("PRIVATE KEY-----")) {
      return yield* new UsageError({ message: "--cert: the file holds no key; add --key FILE" })
    }
    const tls: TlsSettings = {
      ...(flags.insecure ? { insecure: true } : {}),
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key })
    }
    return {
      env: yield* proxyEnv,
      ...(Object.keys(tls).length === 0 ? {} : { tls }),
      ...(Option.isSome(flags.proxy) ? { proxy: flags.proxy.value } : {}),
      ...(Option.isSome(flags.noProxy) ? { noProxy: flags.noProxy.value } : {}),
      ...(flags.http2 ? { http2: true } : {}),
      ...(Option.isSome(flags.unixSocket) ? { unixSocket: flags.unixSocket.value } : {})
    }
  })

/** The connection flags given, by name. */
export const connectionFlagsGiven = (flags: ConnectionFlags): ReadonlyArray<string> =>
  [
    Option.isSome(flags.proxy) && "--proxy",
    Option.isSome(flags.noProxy) && "--noproxy",
    flags.insecure && "--insecure",
    Option.isSome(flags.cacert) && "--cacert",
    Option.isSome(flags.cert) && "--cert",
    Option.isSome(flags.key) && "--key",
    flags.http2 && "--http2",
    Option.isSome(flags.unixSocket) && "--unix-socket"
  ].filter((flag): flag is string => flag !== false)

/**
 * With `--cluster` the workers make the connections, so the flags belong on `volley worker`;
 * taken by the submitter they would be silently lost.
 */
export const workersConnect = (given: ReadonlyArray<string>): UsageError =>
  new UsageError({
    message: `--cluster: the workers make the connections; give ${given.join(", ")} to volley worker`
  })

/** The HTTP client the flags describe. */
export const connectionLayer = (
  flags: ConnectionFlags
): Layer.Layer<Transport | HttpClient.HttpClient, UsageError, FileSystem.FileSystem> =>
  Layer.unwrapEffect(Effect.map(poolOptionsFrom(flags), undiciLayer))
