import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import { basicAuthorization, stripUserinfo, takeUserinfo } from "../../src/http/Credentials.js"
import { netrcLogin, parseNetrc } from "../../src/http/Netrc.js"

const plain = (login: ReturnType<typeof netrcLogin>) =>
  login === undefined
    ? undefined
    : { user: login.user, password: login.password === undefined ? undefined : Redacted.value(login.password) }

describe("Netrc", () => {
  const text = [
    "# comment-free as curl reads it",
    "machine api.test login alice password s3cret",
    "machine API.test login bob password second",
    "",
    "macdef init",
    "cd /pub",
    "machine evil.test login x password y",
    "",
    "machine quoted.test",
    "  login \"carol q\"",
    "  password \"pa ss\\\"w\\\\d\"",
    "  account ignored",
    "default login anon password guest"
  ].join("\n")
  const entries = parseNetrc(text)

  it("the first machine of the host wins, names match in any case", () => {
    expect(plain(netrcLogin(entries, "api.test", undefined))).toEqual({ user: "alice", password: "s3cret" })
    expect(plain(netrcLogin(entries, "API.TEST", undefined))).toEqual({ user: "alice", password: "s3cret" })
  })

  it("a URL's user picks that user's entry", () => {
    expect(plain(netrcLogin(entries, "api.test", "bob"))).toEqual({ user: "bob", password: "second" })
  })

  it("quoted tokens with escapes; account is skipped", () => {
    expect(plain(netrcLogin(entries, "quoted.test", undefined))).toEqual({ user: "carol q", password: "pa ss\"w\\d" })
  })

  it("a macdef body is skipped up to the empty line", () => {
    // evil.test is inside the macro: not an entry, so default serves it.
    expect(plain(netrcLogin(entries, "evil.test", undefined))).toEqual({ user: "anon", password: "guest" })
  })

  it("default serves hosts no machine names; without default, nothing", () => {
    expect(plain(netrcLogin(entries, "other.test", undefined))).toEqual({ user: "anon", password: "guest" })
    expect(netrcLogin(parseNetrc("machine a.test login u password p"), "b.test", undefined)).toBeUndefined()
  })

  it("passwords are Redacted: they do not print", () => {
    const login = netrcLogin(entries, "api.test", undefined)!
    expect(String(login.password)).not.toContain("s3cret")
    expect(JSON.stringify(entries)).not.toContain("s3cret")
  })
})

describe("Credentials", () => {
  it("stripUserinfo drops user:password@ and keeps the rest as written", () => {
    expect(stripUserinfo("http://u:p@host:8080/a?b=c@d#e")).toBe("http://host:8080/a?b=c@d#e")
    expect(stripUserinfo("https://us%40er:p@ss@host/")).toBe("https://host/")
    expect(stripUserinfo("http://host/path@x")).toBe("http://host/path@x")
    expect(stripUserinfo("http://host/")).toBe("http://host/")
    expect(stripUserinfo("htp://u:secret@x")).toBe("htp://x")
  })

  it("takeUserinfo percent-decodes and empties the URL's userinfo", () => {
    const url = new URL("http://a%40b:p%3Aw%20d@host/x")
    const login = takeUserinfo(url)!
    expect(login.user).toBe("a@b")
    expect(Redacted.value(login.password!)).toBe("p:w d")
    expect(url.href).toBe("http://host/x")
    expect(takeUserinfo(new URL("http://host/"))).toBeUndefined()
    expect(takeUserinfo(new URL("http://only@host/"))!.password).toBeUndefined()
  })

  it("basicAuthorization is curl's header value, redacted", () => {
    const value = basicAuthorization("u", "p")
    expect(Redacted.value(value)).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`)
    expect(String(value)).not.toContain("Basic")
  })
})
