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

describe("Template parsing", () => {
  it("unbalanced or empty braces are refused, naming the template", () => {
    for (const source of ["{{ vars.base }}/a}}", "{{ vars.base }}/{{ item", "/a{{b}"]) {
      expect(parseTemplate(source)).toEqual(Either.left(`unbalanced {{ }} in '${source}'`))
    }
    expect(parseTemplate("{{ vars.base }}/{{ }}")).toEqual(Either.left("empty {{ }} in '{{ vars.base }}/{{ }}'"))
    expect(parseTemplate("{{ vars.base }}/{{ a[ }}")).toSatisfy(
      (parsed: Either.Either<unknown, string>) =>
        Either.isLeft(parsed) && parsed.left.startsWith("'{{ a[ }}' does not parse")
    )
  })

  it("references are the root names every expression reads", () => {
    const parsed = Either.getOrThrow(parseTemplate("{{ vars.base }}/{{ a.id || b.id }}?x={{+ item.q }}"))
    expect([...parsed.references].sort()).toEqual(["a", "b", "item", "vars"])
    expect(Either.getOrThrow(parseTemplate("http://x/plain")).references).toEqual([])
  })

  it("null and missing values render as nothing; numbers and booleans as JSON writes them", () => {
    const context = { vars: { base }, item: { n: 0.1, t: true, z: null } }
    expect(render("{{ vars.base }}/{{ item.n }}/{{ item.t }}/{{ item.z }}/{{ item.none }}", context)).toEqual(
      Either.right(`${base}/0.1/true//`)
    )
    const exact = new LosslessNumber("1.000000000000000000001")
    expect(render("{{ n }}", { n: exact }, "text")).toEqual(Either.right("1.000000000000000000001"))
  })

  it("the base URL must be first: a URL in the middle is encoded like any value", () => {
    expect(render("{{ vars.base }}/go/{{ next }}", { vars: { base }, next: "https://other.test/x" })).toEqual(
      Either.right(`${base}/go/https%3A%2F%2Fother.test%2Fx`)
    )
    expect(render("{{+ next }}/more", { next: "https://api.test/a b" })).toEqual(
      Either.right("https://api.test/a%20b/more")
    )
  })
})
