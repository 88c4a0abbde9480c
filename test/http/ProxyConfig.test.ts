import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { checkProxyUrl, proxyRoutes, safeProxyUrl } from "../../src/http/ProxyConfig.js"

describe("ProxyConfig", () => {
  it("no proxy anywhere: no proxy machinery at all", () => {
    expect(proxyRoutes({}, {})).toBeUndefined()
    expect(proxyRoutes({ proxy: "" }, { http_proxy: "http://p:1" })).toBeUndefined()
  })

  it("reads the environment, lower case first, ALL_PROXY as the fallback", () => {
    expect(proxyRoutes({}, { http_proxy: "http://low:1", HTTP_PROXY: "http://up:1" })).toEqual({
      httpProxy: "http://low:1",
      httpsProxy: "",
      noProxy: ""
    })
    expect(proxyRoutes({}, { HTTPS_PROXY: "http://s:1", ALL_PROXY: "http://all:1" })).toEqual({
      httpProxy: "http://all:1",
      httpsProxy: "http://s:1",
      noProxy: ""
    })
  })

  it("--proxy overrides the environment; --noproxy adds to NO_PROXY; * anywhere means everything", () => {
    const env = { http_proxy: "http://env:1", NO_PROXY: "a.test, b.test:8080" }
    expect(proxyRoutes({ proxy: "http://flag:2", noProxy: ".c.test" }, env)).toEqual({
      httpProxy: "http://flag:2",
      httpsProxy: "http://flag:2",
      noProxy: "a.test,b.test:8080,.c.test"
    })
    expect(proxyRoutes({ noProxy: "*" }, env)?.noProxy).toBe("*")
  })

  it("never shows a proxy's credentials", () => {
    expect(safeProxyUrl("http://user:secret@proxy.test:3128/")).toBe("http://***@proxy.test:3128/")
    expect(safeProxyUrl("not a url u:secret@x")).not.toContain("secret@")
    expect(checkProxyUrl("ftp://u:secret@x")).toEqual(
      Either.left("not an http://, https:// or socks5:// proxy URL: ftp://***@x/")
    )
    expect(checkProxyUrl("http://proxy.test:3128")).toEqual(Either.right("http://proxy.test:3128"))
  })
})
