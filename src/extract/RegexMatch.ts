/**
 * `--match REGEX`: a regular expression over the text body. The value is the first match's
 * capture groups — named groups as an object, one group as its string, several as an array, none
 * as the whole match — or, with `--match-all`, a list of those for every match. `^` and `$` match
 * at line starts and ends.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import { messageOf } from "../domain/ErrorText.js"
import { ExtractError } from "../domain/FetchError.js"
import { InvalidExpression } from "../domain/InvalidExpression.js"
import type { Extractor } from "./Extractor.js"

const valueOf = (match: RegExpMatchArray): unknown => {
  if (match.groups !== undefined) return { ...match.groups }
  const groups = match.slice(1)
  return groups.length === 0 ? match[0] : groups.length === 1 ? groups[0] : groups
}

/** An extractor for `pattern`; an invalid pattern is refused before any request. */
export const regexExtractor = (
  pattern: string,
  options: { readonly all?: boolean } = {}
): Effect.Effect<Extractor, InvalidExpression> => {
  let regex: RegExp
  try {
    // Multiline: ^ and $ match at each line, which is what scraping text bodies wants.
    regex = new RegExp(pattern, "gm")
  } catch (cause) {
    return Effect.fail(new InvalidExpression({ language: "regex", source: pattern, reason: messageOf(cause) }))
  }
  const all = options.all ?? false
  return Effect.succeed<Extractor>({
    description: `regex ${pattern}${all ? " (all)" : ""}`,
    needsJson: false,
    apply: (body, url) =>
      Effect.suspend(() => {
        // matchAll steps past empty matches, so a pattern like `\d*` cannot loop forever.
        const iterator = body.text.matchAll(new RegExp(regex.source, regex.flags))
        const first = iterator.next()
        if (first.done === true) {
          return Effect.fail(new ExtractError({ url, message: `pattern '${pattern}' matched nothing` }))
        }
        // Without --match-all only the first match is needed, so the rest are never searched for.
        return Effect.succeed(all ? [first.value, ...iterator].map(valueOf) : valueOf(first.value))
      })
  })
}
