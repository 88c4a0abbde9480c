/**
 * URLs as they may be shown outside the run (spans, reports): without the `user:password@` part.
 *
 * @module
 */

/** The URL without credentials; text that is not a URL is returned as it is. */
export const withoutCredentials = (url: string): string => {
  // Most URLs have none: only those with an `@` are parsed.
  if (!url.includes("@")) return url
  try {
    const parsed = new URL(url)
    if (parsed.username === "" && parsed.password === "") return url
    parsed.username = ""
    parsed.password = ""
    return parsed.href
  } catch {
    return url
  }
}
