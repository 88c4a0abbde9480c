/**
 * `--select CSS`: a CSS selector over an HTML body, with cheerio (a maintained, lenient HTML
 * parser — malformed pages parse as browsers would; no regexes over HTML).
 *
 * @module
 */
import * as cheerio from "cheerio/slim"
import * as Effect from "effect/Effect"
import { messageOf } from "../domain/ErrorText.js"
import { ExtractError } from "../domain/FetchError.js"
import { UsageError } from "../domain/UsageError.js"
import type { Extractor } from "./Extractor.js"

/**
 * The text of the elements `selector` matches (an array when several do), or the value of
 * attribute `attr`. The selector is checked before any request.
 */
export const cssExtractor = (
  selector: string,
  options: { readonly attr?: string | undefined; readonly flag?: string } = {}
): Effect.Effect<Extractor, UsageError> => {
  const flag = options.flag ?? "--select"
  try {
    cheerio.load("<p></p>")(selector)
  } catch (cause) {
    return Effect.fail(new UsageError({ message: `${flag}: invalid CSS selector '${selector}': ${messageOf(cause)}` }))
  }
  const attr = options.attr
  return Effect.succeed<Extractor>({
    description: attr === undefined ? `css ${selector}` : `css ${selector} @${attr}`,
    needsJson: false,
    apply: (body, url) =>
      Effect.suspend(() => {
        const $ = cheerio.load(body.text)
        const values: Array<string> = []
        $(selector).each((_, element) => {
          const value = attr === undefined ? $(element).text().trim() : $(element).attr(attr)
          if (value !== undefined) values.push(value)
        })
        if (values.length === 0) {
          const what = attr === undefined ? `selector '${selector}'` : `selector '${selector}' with attribute '${attr}'`
          return Effect.fail(new ExtractError({ url, message: `${what} matched nothing` }))
        }
        return Effect.succeed(values.length === 1 ? values[0] : values)
      })
  })
}
