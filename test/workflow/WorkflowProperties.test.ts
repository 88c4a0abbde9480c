/**
 * Property tests: any workflow text is a workflow or a one-line set-up error naming the file —
 * never a defect; any template value keeps a URL's origin and path shape.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit } from "effect"
import fc from "fast-check"
import { stringify } from "yaml"
import { parseTemplate, renderTemplate } from "../../src/workflow/Template.js"
import { parseWorkflow } from "../../src/workflow/WorkflowFile.js"

/** YAML text: documents built from arbitrary values, plus fragments of YAML syntax. */
const yamlText = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => stringify({ steps: value })),
  fc.dictionary(
    fc.stringMatching(/^[a-z_]{1,6}$/),
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.record({ request: fc.string({ maxLength: 30 }), forEach: fc.string({ maxLength: 10 }) }, { requiredKeys: [] })
    ),
    { maxKeys: 4 }
  ).map((steps) => stringify({ steps })),
  fc.array(
    fc.constantFrom(
      "steps:",
      "\n",
      "  ",
      "a:",
      "request:",
      " &x",
      " *x",
      "[",
      "]",
      "{",
      "}",
      "\"",
      "'",
      "{{ a }}",
      "- ",
      "#",
      "!!str",
      "%YAML 1.2",
      "---"
    ),
    { maxLength: 25 }
  ).map((parts) => parts.join(""))
)

describe("workflow file properties", () => {
  it.effect.prop(
    "any text: a workflow, or one set-up error naming the file",
    [yamlText],
    ([text]) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(parseWorkflow(text, "fuzz.yaml"))
        if (Exit.isFailure(exit)) {
          expect(Cause.isDie(exit.cause)).toBe(false)
          const error = Cause.failureOption(exit.cause)
          expect(error._tag).toBe("Some")
          if (error._tag === "Some") {
            expect(error.value._tag).toBe("UsageError")
            expect(error.value.message.startsWith("fuzz.yaml")).toBe(true)
            expect(error.value.message).not.toContain("\n")
          }
        }
      }),
    { fastCheck: { numRuns: 200 } }
  )
})

const base = "http://api.test"

describe("template properties", () => {
  it.prop(
    "any value in a path segment or query value keeps the origin, the path's shape and the query",
    [fc.oneof(fc.string(), fc.fullUnicodeString(), fc.jsonValue({ maxDepth: 2 }))],
    ([value]) => {
      const template = Either.getOrThrow(parseTemplate("{{ vars.base }}/users/{{ item }}/posts?q={{ item }}&n=1"))
      const rendered = renderTemplate(template, { vars: { base }, item: value }, "url")
      if (Either.isLeft(rendered)) {
        // Only . and .. are refused.
        expect([".", ".."]).toContain(value)
        return
      }
      const url = new URL(rendered.right)
      expect(url.origin).toBe(base)
      expect(url.pathname.split("/")).toHaveLength(4)
      expect(url.pathname.startsWith("/users/")).toBe(true)
      expect(url.pathname.endsWith("/posts")).toBe(true)
      expect([...url.searchParams.keys()]).toEqual(["q", "n"])
      expect(url.hash).toBe("")
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop("any template text: parsed, or refused with a message; rendering never throws", [
    fc.array(fc.constantFrom("{{", "}}", "{{+", " a ", "b.c", "[0]", "|", "`", "'", "x", "/", "length(", ")"), {
      maxLength: 10
    }).map((parts) => parts.join("")),
    fc.jsonValue({ maxDepth: 3 })
  ], ([source, context]) => {
    const parsed = parseTemplate(source)
    if (Either.isRight(parsed)) {
      for (const mode of ["url", "text"] as const) {
        const rendered = renderTemplate(parsed.right, { a: context, b: { c: context } }, mode)
        if (Either.isLeft(rendered)) expect(rendered.left.message.length).toBeGreaterThan(0)
      }
    } else {
      expect(parsed.left.length).toBeGreaterThan(0)
    }
  }, { fastCheck: { numRuns: 300 } })
})
