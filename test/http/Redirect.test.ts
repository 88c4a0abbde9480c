/**
 * The redirect rule both transports share.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { redactHeaders, withSecretHeaders } from "../../src/http/FetchOptions.js"
import { type Hop, isRedirect, nextHop } from "../../src/http/Redirect.js"

const post: Hop = {
  method: "POST",
  url: new URL("http://a.test/form"),
  headers: { authorization: "Bearer s", cookie: "c=1", "content-type": "application/json" },
  body: "{}",
  redirects: 0
}

const next = (status: number, location: string, hop: Hop = post, max = 5) =>
  Either.getOrThrow(nextHop(hop, status, location, max))

describe("Redirect", () => {
  it("3xx with a Location is a redirect; 304 and a 3xx without one are not", () => {
    expect(isRedirect(302, "/x")).toBe(true)
    expect(isRedirect(304, "/x")).toBe(false)
    expect(isRedirect(301, undefined)).toBe(false)
    expect(isRedirect(200, "/x")).toBe(false)
  })

  it("303 and 301/302 after a POST become a GET without a body; 307/308 keep both", () => {
    expect(next(303, "/done")).toMatchObject({ method: "GET", body: undefined, redirects: 1 })
    expect(next(302, "/done")).toMatchObject({ method: "GET", body: undefined })
    expect(next(307, "/again")).toMatchObject({ method: "POST", body: "{}" })
    expect(next(308, "/again").url.href).toBe("http://a.test/again")
  })

  it("credentials stay on the same origin and are dropped on another", () => {
    expect(next(307, "/same").headers).toEqual(post.headers)
    expect(next(307, "http://b.test/other").headers).toEqual({ "content-type": "application/json" })
  })

  it("every header of the secret list (X-Api-Key, X-Auth-Token, Api-Key, ...) and marked ones drop across origins", () => {
    const hop: Hop = {
      ...post,
      headers: { "X-Api-Key": "k", "X-Auth-Token": "t", "Api-Key": "a", "X-Mine": "m", accept: "*/*" }
    }
    expect(next(307, "http://b.test/x", hop).headers).toEqual({ "X-Mine": "m", accept: "*/*" })
    const marked = Either.getOrThrow(nextHop(hop, 307, "http://b.test/x", 5, withSecretHeaders(["x-mine"])))
    expect(marked.headers).toEqual({ accept: "*/*" })
    // Redaction uses the same list.
    expect(
      Object.entries(redactHeaders(hop.headers, withSecretHeaders(["X-MINE"])))
        .filter(([, value]) => typeof value === "string")
    ).toEqual([["accept", "*/*"]])
  })

  it("refuses non-http(s) targets, invalid locations and one hop too many", () => {
    const refused = (status: number, location: string, max = 5) =>
      Either.match(nextHop(post, status, location, max), { onLeft: (e) => e.message, onRight: () => "followed" })
    expect(refused(302, "file:///etc/passwd")).toContain("refused redirect to non-http(s) URL")
    expect(refused(302, "http://[bad")).toContain("redirect to an invalid URL")
    expect(refused(302, "/x", 0)).toContain("too many redirects")
  })
})
