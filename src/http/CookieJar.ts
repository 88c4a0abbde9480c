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
}

/** An empty jar. */
export const makeSessionCookies = (): SessionCookies => {
  const jar = new Tough.CookieJar()
  return {
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
