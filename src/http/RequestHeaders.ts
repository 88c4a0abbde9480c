/**
 * Reading a request's own headers: a value whatever the case of its name, and the content type a
 * body goes out with.
 *
 * @module
 */

/** A header's value whatever the case of its name (`name` in lower case). */
export const headerValue = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  for (const key in headers) if (key.toLowerCase() === name) return headers[key]
  return undefined
}

/**
 * The body's content type: the one the caller set, else JSON when the body parses as JSON (bytes:
 * `application/octet-stream`).
 */
export const bodyContentType = (headers: Readonly<Record<string, string>>, body: string | Uint8Array): string => {
  const given = headerValue(headers, "content-type")
  if (given !== undefined) return given
  if (typeof body !== "string") return "application/octet-stream"
  try {
    JSON.parse(body)
    return "application/json"
  } catch {
    return "text/plain; charset=utf-8"
  }
}
