/**
 * `--select CSS`: a CSS selector over an HTML body, with cheerio (a maintained, lenient HTML
 * parser — malformed pages parse as browsers would; no regexes over HTML).
 *
 * @module
 */
import * as cheerio from "cheerio/slim"
import * as Effect from "effect/Effect"
import { Parser } from "htmlparser2"
import { messageOf } from "../domain/ErrorText.js"
import { ExtractError } from "../domain/FetchError.js"
import { UsageError } from "../domain/UsageError.js"
import type { Extractor } from "./Extractor.js"

/**
 * The attributes cheerio's `attr` answers with something other than the attribute's own value:
 * boolean attributes (their name), `value` (an option's text, a checkbox's "on").
 */
const specialAttribute =
  /^(?:autofocus|autoplay|async|checked|controls|defer|disabled|hidden|loop|multiple|open|readonly|required|scoped|selected|value)$/i

/**
 * An attribute of every element of one tag name (`--select a --select-attr href`), read as the
 * parser opens each tag, without building the document: on 100 generated 200 KB pages (`npm run
 * bench -- --scenario html`) cheerio's document was most of the time. The same answer as
 * cheerio's: cheerio builds its document from these same htmlparser2 events with the same
 * options (an implied tag is opened here too), a tag selector matches an element by its
 * lower-cased name alone, and the matches come in document order, the order tags open in.
 */
const streamTagAttribute = (html: string, tag: string, attr: string): Array<string> => {
  const values: Array<string> = []
  const parser = new Parser({
    onopentag: (name, attribs) => {
      if (name === tag && Object.hasOwn(attribs, attr)) values.push(attribs[attr]!)
    }
  })
  parser.end(html)
  return values
}

/**
 * The text of the elements `selector` matches (an array when several do), or the value of
 * attribute `attr`. The selector is checked before any request.
 */
export const cssExtractor = (
  selector: string,
  options: { readonly attr?: string | undefined; readonly flag?: string } = {}
): Effect.Effect<Extractor, UsageError> => {
  const flag = options.flag ?? "--select"
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
    return Effect.fail(new UsageError({ message: `${flag}: invalid CSS selector '${selector}': ${messageOf(cause)}` }))
  }
  const attr = options.attr
  const streamed = attr !== undefined && /^[a-z][a-z0-9]*$/.test(selector) && !specialAttribute.test(attr)
  return Effect.succeed<Extractor>({
    description: attr === undefined ? `css ${selector}` : `css ${selector} @${attr}`,
    needsJson: false,
    apply: (body, url) =>
      Effect.suspend(() => {
        const values = streamed ? streamTagAttribute(body.text, selector, attr) : selectWithCheerio(body.text)
        if (values.length === 0) {
          const what = attr === undefined ? `selector '${selector}'` : `selector '${selector}' with attribute '${attr}'`
          return Effect.fail(new ExtractError({ url, message: `${what} matched nothing` }))
        }
        return Effect.succeed(values.length === 1 ? values[0] : values)
      })
  })
}
