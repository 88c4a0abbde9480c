/**
 * `--select CSS`: a CSS selector over an HTML body, with cheerio (a maintained, lenient HTML
 * parser — malformed pages parse as browsers would; no regexes over HTML).
 *
 * @module
 */
import type * as Cheerio from "cheerio/slim"
import * as Effect from "effect/Effect"
import { Tokenizer } from "htmlparser2"
import { messageOf } from "../domain/ErrorText.js"
import { ExtractError } from "../domain/FetchError.js"
import { InvalidExpression } from "../domain/InvalidExpression.js"
import type { Extractor } from "./Extractor.js"

/**
 * The attributes cheerio's `attr` answers with something other than the attribute's own value:
 * boolean attributes (their name), `value` (an option's text, a checkbox's "on").
 */
const specialAttribute =
  /^(?:autofocus|autoplay|async|checked|controls|defer|disabled|hidden|loop|multiple|open|readonly|required|scoped|selected|value)$/i

/**
 * An attribute of every element of one tag name (`--select a --select-attr href`), read from
 * htmlparser2's tokenizer as each tag opens, without building the document: on 100 generated
 * 200 KB pages (`npm run bench -- --scenario html`) cheerio's document was most of the time, and
 * then htmlparser2's `Parser` over the tokenizer (a stack of open elements, an attribute object
 * per tag, a string per text run) a third of what was left. The same answer as cheerio's:
 * cheerio builds its document from this same tokenizer with the same options (entities decoded;
 * `<script>`, `<style>`, `<textarea>` and `<title>` contents are the tokenizer's own raw text, so
 * an `<a` inside them opens nothing), and these callbacks do what `Parser` does with the events
 * that carry attributes: names lower-cased, the first of a repeated attribute kept, a tag counted
 * once its `>` (or `/>`) is read (a tag cut off by the end of the page is not an element). The
 * tags `Parser` adds itself (an implied `<p>` for a stray `</p>`, `<br>` for `</br>`) have no
 * attributes, and a tag selector matches an element by its lower-cased name alone; the matches
 * come in document order, the order tags open in. Checked against cheerio in
 * test/extract/CssSelect.test.ts.
 */
const streamTagAttribute = (html: string, tag: string, attr: string): Array<string> => {
  const values: Array<string> = []
  // In a tag of the wanted name: its attribute names so far (the first one wins), and the value.
  let inWanted = false
  let names: Array<string> = []
  let name = ""
  let value = ""
  let found: string | undefined
  const tagEnd = (): void => {
    if (inWanted && found !== undefined) values.push(found)
    inWanted = false
  }
  const ignore = (): void => {}
  const tokenizer = new Tokenizer({ decodeEntities: true }, {
    onopentagname: (start, end) => {
      inWanted = end - start === tag.length && html.slice(start, end).toLowerCase() === tag
      names = []
      found = undefined
    },
    onattribname: (start, end) => {
      if (!inWanted) return
      name = html.slice(start, end).toLowerCase()
      value = ""
    },
    onattribdata: (start, end) => {
      if (inWanted) value += html.slice(start, end)
    },
    onattribentity: (codepoint) => {
      if (inWanted) value += String.fromCodePoint(codepoint)
    },
    onattribend: () => {
      if (!inWanted || names.includes(name)) return
      names.push(name)
      if (name === attr) found = value
    },
    onopentagend: tagEnd,
    onselfclosingtag: tagEnd,
    oncdata: ignore,
    onclosetag: ignore,
    oncomment: ignore,
    ondeclaration: ignore,
    onend: ignore,
    onprocessinginstruction: ignore,
    ontext: ignore,
    ontextentity: ignore
  })
  tokenizer.write(html)
  tokenizer.end()
  return values
}

/**
 * The text of the elements `selector` matches (an array when several do), or the value of
 * attribute `attr`. The selector is checked before any request.
 */
export const cssExtractor = (
  selector: string,
  options: { readonly attr?: string | undefined } = {}
): Effect.Effect<Extractor<string | Array<string>>, InvalidExpression> => {
  const attr = options.attr
  // A bare tag name is a valid selector: it needs no check, and no cheerio.
  const streamed = attr !== undefined && /^[a-z][a-z0-9]*$/.test(selector) && !specialAttribute.test(attr)
  const description = attr === undefined ? `css ${selector}` : `css ${selector} @${attr}`
  const finish = (url: string, values: Array<string>): Effect.Effect<string | Array<string>, ExtractError> => {
    if (values.length === 0) {
      const what = attr === undefined ? `selector '${selector}'` : `selector '${selector}' with attribute '${attr}'`
      return Effect.fail(new ExtractError({ url, message: `${what} matched nothing` }))
    }
    return Effect.succeed(values.length === 1 ? values[0]! : values)
  }
  if (streamed) {
    return Effect.succeed<Extractor<string | Array<string>>>({
      description,
      needsJson: false,
      apply: (body, url) => Effect.suspend(() => finish(url, streamTagAttribute(body.text, selector, attr)))
    })
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
