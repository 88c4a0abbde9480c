import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { LosslessNumber } from "lossless-json"
import { parseTemplate, renderTemplate } from "../../src/workflow/Template.js"

const render = (source: string, context: unknown, mode: "url" | "text" = "url") =>
  renderTemplate(Either.getOrThrow(parseTemplate(source)), context, mode)

const base = "http://api.test"

describe("Template", () => {
  it("a URL value is one path segment or query value: ../admin?x=1# cannot change the path or query", () => {
    const context = { vars: { base }, item: { id: "../admin?x=1#", q: "a b&c=d" } }
    expect(render("{{ vars.base }}/users/{{ item.id }}/posts?q={{ item.q }}", context)).toEqual(
      Either.right("http://api.test/users/..%2Fadmin%3Fx%3D1%23/posts?q=a%20b%26c%3Dd")
    )
    expect(render("{{ vars.base }}/x/{{ item }}", { vars: { base }, item: "it's (ok)*!" })).toEqual(
      Either.right("http://api.test/x/it%27s%20%28ok%29%2A%21")
    )
  })

  it("numbers, big integers and objects are rendered exactly, then encoded", () => {
    const big = new LosslessNumber("9223372036854775808")
    expect(render("{{ vars.base }}/n/{{ item }}", { vars: { base }, item: big })).toEqual(
      Either.right(`${base}/n/9223372036854775808`)
    )
    expect(render("{{ vars.base }}/o/{{ item }}", { vars: { base }, item: { a: 1 } })).toEqual(
      Either.right(`${base}/o/%7B%22a%22%3A1%7D`)
    )
  })

  it("a value that is . or .. is refused: it would change the path even encoded", () => {
    for (const id of [".", ".."]) {
      expect(render("{{ vars.base }}/users/{{ item }}", { vars: { base }, item: id })).toEqual(
        Either.left({
          message: `'{{ item }}' gave ${JSON.stringify(id)}, which would change the path`,
          unsafeValue: true
        })
      )
    }
  })

  it("a template that starts with (or is only) {{ … }} takes a URL there, and it must be http(s)", () => {
    expect(render("{{ next }}", { next: "https://api.test/page?cursor=a%2Fb" })).toEqual(
      Either.right("https://api.test/page?cursor=a%2Fb")
    )
    for (const next of ["javascript:alert(1)", "file:///etc/passwd", "/relative", ""]) {
      const rendered = render("{{ next }}", { next })
      expect(Either.isLeft(rendered) && rendered.left.unsafeValue).toBe(true)
    }
  })

  it("{{+ … }} keeps URL syntax and encodes only what a URL cannot hold", () => {
    expect(render("http://api.test/{{+ path }}", { path: "a/b?c=d e\n" })).toEqual(
      Either.right("http://api.test/a/b?c=d%20e%0A")
    )
  })

  it("text mode (headers, bodies) writes values as they are; a failing expression is not an unsafe value", () => {
    expect(render("Bearer {{ t }}", { t: "a/b c" }, "text")).toEqual(Either.right("Bearer a/b c"))
    const failed = render("{{ vars.base }}/{{ to_number(`\"x\"`) + `1` }}", { vars: { base } })
    expect(Either.isLeft(failed) && failed.left.unsafeValue).toBe(false)
  })
})
