/**
 * Which forward proxy a request goes through: `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and
 * `NO_PROXY` (lower case first, then upper case, as curl reads them) unless a proxy is given
 * (`--proxy URL`; `--proxy ""` turns proxies off), with `--noproxy LIST` adding exceptions.
 *
 * Routing and the proxy protocol are undici's `EnvHttpProxyAgent` (NO_PROXY matching: hosts,
 * domains and their subdomains, `host:port`, `*`) and `ProxyAgent` (plain requests in absolute
 * form for http://, `CONNECT` tunnels for https://, `Proxy-Authorization` from the URL's
 * user and password): this module only decides what to hand them. A proxy's credentials never
 * appear in a message (`safeProxyUrl`).
 *
 * @module
 */
import * as Either from "effect/Either"

/** Proxy settings of a client. */
export interface ProxySettings {
  /** The proxy for every request; `""` for none; unset: from the environment. */
  readonly proxy?: string
  /** Hosts (`example.com`, `.example.com`, `host:port`, `*`) reached directly, besides NO_PROXY. */
  readonly noProxy?: string
}

/** What undici's `EnvHttpProxyAgent` is given: always explicit, so it never reads the environment itself. */
export interface ProxyRoutes {
  readonly httpProxy: string
  readonly httpsProxy: string
  readonly noProxy: string
}

type Env = Readonly<Record<string, string | undefined>>

/** Every variable `proxyRoutes` reads, for a caller that gathers the environment itself. */
export const proxyVariables: ReadonlyArray<string> = ["all_proxy", "http_proxy", "https_proxy", "no_proxy"]
  .flatMap((name) => [name, name.toUpperCase()])

const fromEnv = (env: Env, name: string): string | undefined => {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()]
  return value === undefined || value.trim() === "" ? undefined : value.trim()
}

/**
 * The proxies for `settings` in `env`, or `undefined` when every request goes direct (then no
 * proxy machinery is made at all).
 */
export const proxyRoutes = (settings: ProxySettings, env: Env = process.env): ProxyRoutes | undefined => {
  const all = fromEnv(env, "all_proxy")
  const httpProxy = settings.proxy ?? fromEnv(env, "http_proxy") ?? all ?? ""
  const httpsProxy = settings.proxy ?? fromEnv(env, "https_proxy") ?? all ?? ""
  if (httpProxy === "" && httpsProxy === "") return undefined
  const entries = [fromEnv(env, "no_proxy"), settings.noProxy]
    .flatMap((list) => list === undefined ? [] : list.split(/[,\s]+/))
    .filter((entry) => entry !== "")
  // undici treats `*` as "nothing is proxied" only when it is the whole list.
  const noProxy = entries.includes("*") ? "*" : entries.join(",")
  return { httpProxy, httpsProxy, noProxy }
}

/** A proxy URL with its password (and user) masked, for messages. */
export const safeProxyUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.username === "" && parsed.password === "") return parsed.href
    parsed.username = "***"
    parsed.password = ""
    return parsed.href
  } catch {
    // Not a URL: whatever comes before an `@` may be a password.
    return url.replace(/^([a-z0-9+.-]*:\/\/)?[^@]*@/i, "$1***@")
  }
}

/** Checks a proxy URL: http://, https:// or socks5:// with a host; the reason otherwise. */
export const checkProxyUrl = (url: string): Either.Either<string, string> => {
  if (url === "") return Either.right(url)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(`not a URL: ${safeProxyUrl(url)}`)
  }
  if (!["http:", "https:", "socks5:", "socks:"].includes(parsed.protocol) || parsed.hostname === "") {
    return Either.left(`not an http://, https:// or socks5:// proxy URL: ${safeProxyUrl(url)}`)
  }
  return Either.right(url)
}
