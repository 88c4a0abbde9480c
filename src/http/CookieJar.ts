/**
 * A cookie jar for a session (a workflow run): every `Set-Cookie` of every answer, redirect hops
 * included, is kept, and sent on later requests it matches by domain, path, `Secure` and expiry.
 * The rules are tough-cookie's (RFC 6265), not volley's.
 *
 * @module
 */
import * as Tough from "tough-cookie"

export interface SessionCookies {
  /** The `Cookie` header for a request to `url`, when any cookie matches. */
  readonly header: (url: URL) => string | undefined
  /** Keeps the `Set-Cookie` headers of an answer from `url` (a bad one is ignored, as browsers do). */
  readonly store: (url: URL, setCookie: string | ReadonlyArray<string> | undefined) => void
  /** The jar in curl's Netscape cookie-file format. */
  readonly netscape: () => string
}

const netscapeHeader = "# Netscape HTTP Cookie File\n# Written by volley; curl reads it (-b FILE).\n\n"

/** The lines of a jar in curl's format: domain, subdomains, path, secure, expiry (s), name, value. */
const toNetscape = (jar: Tough.CookieJar): string => {
  const lines: Array<string> = []
  for (const cookie of jar.serializeSync()?.cookies ?? []) {
    if (cookie.domain === undefined || cookie.domain === null || cookie.key === undefined) continue
    const hostOnly = cookie.hostOnly === true
    const domain = `${cookie.httpOnly === true ? "#HttpOnly_" : ""}${hostOnly ? "" : "."}${cookie.domain}`
    const expires = typeof cookie.expires === "string" && cookie.expires !== "Infinity"
      ? Math.floor(Date.parse(cookie.expires) / 1000)
      : 0
    lines.push([
      domain,
      hostOnly ? "FALSE" : "TRUE",
      cookie.path ?? "/",
      cookie.secure === true ? "TRUE" : "FALSE",
      String(expires),
      cookie.key,
      String(cookie.value ?? "")
    ].join("\t"))
  }
  return netscapeHeader + lines.map((line) => line + "\n").join("")
}

/**
 * Reads curl's Netscape cookie file into `jar`: the seven tab-separated fields per line, `#`
 * comments skipped except curl's `#HttpOnly_` prefix; a line that does not fit is skipped, as
 * curl does. The cookies go through the jar's own rules (tough-cookie).
 */
const fromNetscape = (jar: Tough.CookieJar, text: string): void => {
  for (const raw of text.split(/\r?\n/)) {
    const httpOnly = raw.startsWith("#HttpOnly_")
    const line = httpOnly ? raw.slice("#HttpOnly_".length) : raw
    if (line.trim() === "" || line.startsWith("#")) continue
    const fields = line.split("\t")
    if (fields.length !== 7) continue
    const [domainField, subdomains, path, secure, expires, key, value] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string
    ]
    const domain = domainField.replace(/^\./, "")
    const seconds = Number(expires)
    const cookie = new Tough.Cookie({
      key,
      value,
      domain,
      path,
      secure: secure === "TRUE",
      httpOnly,
      hostOnly: subdomains !== "TRUE",
      ...(Number.isFinite(seconds) && seconds > 0 ? { expires: new Date(seconds * 1000) } : {})
    })
    try {
      jar.setCookieSync(cookie, `${secure === "TRUE" ? "https" : "http"}://${domain}${path}`, { ignoreError: true })
    } catch {
      // A cookie the jar refuses (expired, a public suffix) is not kept.
    }
  }
}

/** A jar, empty or loaded from curl's Netscape cookie file text. */
export const makeSessionCookies = (netscape?: string): SessionCookies => {
  const jar = new Tough.CookieJar()
  if (netscape !== undefined) fromNetscape(jar, netscape)
  return {
    netscape: () => toNetscape(jar),
    header: (url) => {
      const text = jar.getCookieStringSync(url.href)
      return text === "" ? undefined : text
    },
    store: (url, setCookie) => {
      if (setCookie === undefined) return
      for (const line of typeof setCookie === "string" ? [setCookie] : setCookie) {
        try {
          jar.setCookieSync(line, url.href, { ignoreError: true })
        } catch {
          // A cookie the jar refuses (a public suffix, a bad domain) is not kept.
        }
      }
    }
  }
}

/** The headers with the jar's `Cookie` for `url` added to any the request set itself. */
export const withCookies = (
  headers: Readonly<Record<string, string>>,
  jar: SessionCookies,
  url: URL
): Readonly<Record<string, string>> => {
  const cookie = jar.header(url)
  if (cookie === undefined) return headers
  const out: Record<string, string> = {}
  let own: string | undefined
  for (const name in headers) {
    if (name.toLowerCase() === "cookie") own = headers[name]
    else out[name] = headers[name]!
  }
  out["cookie"] = own === undefined ? cookie : `${own}; ${cookie}`
  return out
}
