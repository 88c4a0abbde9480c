/**
 * `--select CSS`: a CSS selector over an HTML body, with cheerio (a maintained, lenient HTML
 * parser — malformed pages parse as browsers would; no regexes over HTML); a tag's attribute
 * (`--select a --select-attr href`) is read without a document, by `TagAttributeScan`.
 *
 * @module
 */
import type * as Cheerio from "cheerio/slim"
import * as Effect from "effect/Effect"
import { messageOf } from "../domain/ErrorText.js"
import { ExtractError } from "../domain/FetchError.js"
import { InvalidExpression } from "../domain/InvalidExpression.js"
import type { Extractor } from "./Extractor.js"
import { scanTagAttribute } from "./TagAttributeScan.js"

/**
 * The attributes cheerio's `attr` answers with something other than the attribute's own value:
 * boolean attributes (their name), `value` (an option's text, a checkbox's "on").
 */
const specialAttribute =
  /^(?:autofocus|autoplay|async|checked|controls|defer|disabled|hidden|loop|multiple|open|readonly|required|scoped|selected|value)$/i

/**
 * The text of the elements `selector` matches (an array when several do), or the value of
 * attribute `attr`. The selector is checked before any request.
 */
export const cssExtractor = (
  selector: string,
  options: { readonly attr?: string | undefined } = {}
): Effect.Effect<Extractor<string | Array<string>>, InvalidExpression> => {
  const attr = options.attr
  // A bare tag name is a valid selector: it needs no check, and no cheerio; the tag's attribute
  // is read by scanning the page (TagAttributeScan). Attribute names that lower-casing or a plain
  // object treat apart (non-ASCII, `__proto__`) are left to cheerio.
  const streamed = attr !== undefined && /^[a-z][a-z0-9]*$/.test(selector) && /^[\x21-\x7e]+$/.test(attr) &&
    attr !== "__proto__" && !specialAttribute.test(attr)
  const description = attr === undefined ? `css ${selector}` : `css ${selector} @${attr}`
  const finish = (url: string, values: Array<string>): Effect.Effect<string | Array<string>, ExtractError> => {
    if (values.length === 0) {
      const what = attr === undefined ? `selector '${selector}'` : `selector '${selector}' with attribute '${attr}'`
      return Effect.fail(new ExtractError({ url, message: `${what} matched nothing` }))
    }
    return Effect.succeed(values.length === 1 ? values[0]! : values)
  }
  if (streamed) {
    // `entities` is the decoder htmlparser2's tokenizer runs (the same package, deduplicated),
    // loaded with the extractor as cheerio is below.
    return Effect.map(Effect.promise(() => import("entities/decode")), (entities) => ({
      description,
      needsJson: false,
      apply: (body, url) =>
        Effect.suspend(() =>
          finish(
            url,
            scanTagAttribute(body.text, selector, attr).map((value) =>
              value.includes("&") ? entities.decodeHTMLAttribute(value) : value
            )
          )
        )
    }))
  }
  // cheerio (and the css-select, domhandler and parse5-free modules it brings) is loaded only for
  // the selectors that need it: loading it and its first use were 0.3 s of a run's start.
  return Effect.flatMap(
    Effect.promise(() => import("cheerio/slim")),
    (cheerio) => cheerioExtractor(cheerio, selector, options, description, finish)
  )
}

const cheerioExtractor = (
  cheerio: typeof Cheerio,
  selector: string,
  options: { readonly attr?: string | undefined },
  description: string,
  finish: (url: string, values: Array<string>) => Effect.Effect<string | Array<string>, ExtractError>
): Effect.Effect<Extractor<string | Array<string>>, InvalidExpression> => {
  const selectWithCheerio = (html: string): Array<string> => {
    const $ = cheerio.load(html)
    const values: Array<string> = []
    $(selector).each((_, element) => {
      const value = options.attr === undefined ? $(element).text().trim() : $(element).attr(options.attr)
      if (value !== undefined) values.push(value)
    })
    return values
  }
  try {
    cheerio.load("<p></p>")(selector)
  } catch (cause) {
    return Effect.fail(new InvalidExpression({ language: "css", source: selector, reason: messageOf(cause) }))
  }
  return Effect.succeed<Extractor<string | Array<string>>>({
    description,
    needsJson: false,
    apply: (body, url) => Effect.suspend(() => finish(url, selectWithCheerio(body.text)))
  })
}
