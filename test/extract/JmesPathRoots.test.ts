import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseJmesPath } from "../../src/extract/JmesPath.js"

const roots = (expression: string) => Either.getOrThrow(parseJmesPath(expression)).roots

describe("JMESPath root references (from the parsed expression)", () => {
  it("finds every name read at the root: paths, ||, &&, comparisons, lists, objects, functions", () => {
    expect(roots("users.body[0].id").names).toEqual(["users"])
    expect(roots("a.body || b.body").names).toEqual(["a", "b"])
    expect(roots("a && !b").names).toEqual(["a", "b"])
    expect(roots("a.n == b.n").names).toEqual(["a", "b"])
    expect(roots("[a.body, b.body]").names).toEqual(["a", "b"])
    expect(roots("{x: a.body, y: b}").names).toEqual(["a", "b"])
    expect(roots("length(facts)").names).toEqual(["facts"])
    expect(roots("join(', ', [a.x, to_string(b)])").names).toEqual(["a", "b"])
  })

  it("does not take what is read on a left side's result for a root name: pipes, projections, filters, &expr", () => {
    expect(roots("a | b").names).toEqual(["a"])
    expect(roots("a[*].b").names).toEqual(["a"])
    expect(roots("a[?x == y].z").names).toEqual(["a"])
    expect(roots("sort_by(a, &x)").names).toEqual(["a"])
    expect(roots("a.*.c").names).toEqual(["a"])
    expect(roots("a[].b").names).toEqual(["a"])
  })

  it("reads $ as the root wherever it is, and let bindings where they are", () => {
    expect(roots("a[?x == $.b]").names).toEqual(["a", "b"])
    expect(roots("$.a").names).toEqual(["a"])
    expect(roots("let $x = a in b").names).toEqual(["a", "b"])
  })

  it("names the vars an expression reads", () => {
    expect(roots("vars.base").vars).toEqual(["base"])
    expect(roots("join('/', [vars.base, vars.path])").vars).toEqual(["base", "path"])
    expect(roots("users.vars.x").vars).toEqual([])
    expect(roots("'literal'")).toEqual({ names: [], vars: [] })
  })
})
