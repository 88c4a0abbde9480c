/**
 * `--select TAG --select-attr NAME` without a parser: the NAME attribute of every TAG element,
 * found by jumping from `<` to `<` with `indexOf` and reading only the tags, with exactly the
 * answers of htmlparser2's `Tokenizer` (so cheerio's, which builds its document from it).
 * Hand-written because it pays: the tokenizer reads every character through its state machine;
 * on the issue's 100 real pages (19 MB of Rust documentation, 1,190 links a page) this takes
 * 0.6–1.2 ms a page against 4.7–5.6 ms with the tokenizer, and on the bench's generated pages
 * 0.22 against 2.7 ms (the same answers on both, and on 12,156 other real pages).
 *
 * @module
 */
// Character codes.
const TAB = 9
const LF = 10
const FF = 12
const CR = 13
const SPACE = 32
const BANG = 33
const SLASH = 47
const LT = 60
const EQ = 61
const GT = 62
const QUESTION = 63
const DOUBLE_QUOTE = 34
const SINGLE_QUOTE = 39
const DASH = 45
const OPEN_BRACKET = 91

// The tokenizer's whitespace: no vertical tab.
const isWhitespace = (c: number): boolean => c === SPACE || c === LF || c === TAB || c === FF || c === CR

const isAsciiAlpha = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90)

/** Where the tokenizer ends a tag name: `/`, `>` or whitespace. */
const endsTagSection = (c: number): boolean => c === SLASH || c === GT || isWhitespace(c)

/**
 * The raw-text elements, as the tokenizer recognises them: it tests the tag name's first letter
 * (`s`, or `t`/`x` alike), then its second, then the rest of the end sequence, each with
 * `code | 0x20` — so `<xitle>` is read as a title and `<tmp>` as an xmp — and the element's text
 * runs to that end sequence. Only `<title>` decodes entities in it, which changes nothing here.
 */
const rawTextEnd = (html: string, start: number, nameEnd: number): string | undefined => {
  if (nameEnd - start < 3) return undefined
  const first = html.charCodeAt(start) | 0x20
  const second = html.charCodeAt(start + 1) | 0x20
  let end: string
  if (first === 115) { // s
    if (second === 99) end = "</script" // c
    else if (second === 116) end = "</style" // t
    else return undefined
  } else if (first === 116 || first === 120) { // t, x
    if (second === 105) end = "</title" // i
    else if (second === 101) end = "</textarea" // e
    else if (second === 109) end = "</xmp" // m
    else return undefined
  } else {
    return undefined
  }
  // The name is the two letters read, then the end sequence from its fifth character on.
  if (nameEnd - start !== end.length - 2) return undefined
  for (let k = 2; k < end.length - 2; k++) {
    if ((html.charCodeAt(start + k) | 0x20) !== end.charCodeAt(k + 2)) return undefined
  }
  return end
}

/**
 * Where text resumes after a raw-text element whose text starts at `from`, or -1 when the page
 * ends first: the tokenizer's `InSpecialTag` state, step by step, jumping to the next `<` where
 * it does (everywhere but in a title). Its matching is `code | 0x20`, so U+001C counts as `<` and
 * U+000F as `/` where a character is compared rather than skipped.
 */
const afterRawText = (html: string, from: number, end: string, title: boolean): number => {
  const length = html.length
  let matched = 0
  for (let p = from; p < length; p++) {
    const c = html.charCodeAt(p)
    if (matched === end.length) {
      if (c === GT || isWhitespace(c)) {
        // The end tag: its name is read, then everything up to `>`.
        const gt = c === GT ? p : html.indexOf(">", p + 1)
        return gt === -1 ? -1 : gt + 1
      }
      matched = 0
    }
    if ((c | 0x20) === end.charCodeAt(matched)) {
      matched++
    } else if (matched === 0) {
      if (!title) {
        const lt = html.indexOf("<", p + 1)
        if (lt === -1) return -1
        p = lt
        matched = 1
      }
    } else {
      matched = c === LT ? 1 : 0
    }
  }
  return -1
}

/**
 * The `attr` attribute of every `tag` element of `html`, in document order; `tag` is a lower-case
 * ASCII tag name and `attr` an ASCII attribute name (both compared with the lower-cased names, as
 * htmlparser2's `Parser` lower-cases them). The values are as written: where one holds `&`, the
 * tokenizer's answer is `decodeHTMLAttribute` of it (the `entities` decoder it runs, in attribute
 * mode; a value ends at a quote, whitespace or `>`, none of which an entity can hold).
 *
 * What it reproduces of the tokenizer: text runs to the next `<`; `<!--` to `-->` (the opening
 * dashes count, so `<!-->` is a whole comment), `<![CDATA[` to `]]>`, any other `<!` and `<?`
 * to the next `>` (`<!` and its next character are taken before looking, so `<!>` and `<!->`
 * do not end there), `</` to the next `>`; `<` and an ASCII letter opens a tag, whose name runs to
 * `/`, `>` or whitespace; attribute names start with any other character (`=` and quotes
 * included) and run to `=`, `/`, `>` or whitespace; values are double- or single-quoted (to the
 * same quote) or unquoted (to whitespace or `>`: a `/` belongs to the value); a `/` between
 * attributes is skipped, and one just before `>` makes the tag self-closing, which a raw-text
 * element then is not; a tag cut off by the end of the page opens nothing; the first of a
 * repeated attribute counts. Checked against the tokenizer and cheerio in
 * test/extract/TagAttributeScan.test.ts.
 */
export const scanTagAttribute = (html: string, tag: string, attr: string): Array<string> => {
  const values: Array<string> = []
  const length = html.length
  const tagFirst = tag.charCodeAt(0)
  // A name as written equals `tag` or `attr` lower-cased only if they are lower-case already.
  const tagIsLower = tag.toLowerCase() === tag
  const read: TagRead = { end: 0, selfClosing: false, found: undefined, attr, attrIsLower: attr.toLowerCase() === attr }
  let at = 0
  for (;;) {
    const lt = html.indexOf("<", at)
    if (lt === -1 || lt + 1 >= length) return values
    const c = html.charCodeAt(lt + 1)
    if (!isAsciiAlpha(c)) {
      at = c === BANG || c === QUESTION || c === SLASH ? afterMarkup(html, lt, c) : lt + 1
      if (at === -1) return values
      continue
    }
    let nameEnd = lt + 2
    while (nameEnd < length && !endsTagSection(html.charCodeAt(nameEnd))) nameEnd++
    if (nameEnd >= length) return values
    // Compared as the parser does (lower-cased), after a cheap test of the first letter.
    let wanted = false
    if ((c | 0x20) === tagFirst && nameEnd - lt - 1 === tag.length) {
      const name = html.slice(lt + 1, nameEnd)
      wanted = name === tag ? tagIsLower : name.toLowerCase() === tag
    }
    readAttributes(html, nameEnd, wanted, read)
    if (read.end === -1) return values
    if (read.found !== undefined) values.push(read.found)
    at = read.end + 1
    if (!read.selfClosing) {
      const end = rawTextEnd(html, lt + 1, nameEnd)
      if (end !== undefined) {
        at = afterRawText(html, at, end, end === "</title")
        if (at === -1) return values
      }
    }
  }
}

/**
 * What reading a tag's attributes found: the index of its `>` (-1 when the page ends first),
 * whether it closed with `/>`, and, in a wanted tag, the first value of `attr` (as written).
 */
interface TagRead {
  end: number
  selfClosing: boolean
  found: string | undefined
  readonly attr: string
  readonly attrIsLower: boolean
}

/**
 * A tag's attributes, from `p` (the end of its name) to its `>`, into `read`. Apart from the
 * scan's loop so that each is small enough for V8 to optimise quickly: as one function, the first
 * 100 pages of a run spent ~200 ms compiling it (`--trace-opt`), more than they spent in it.
 */
const readAttributes = (html: string, p: number, wanted: boolean, read: TagRead): void => {
  const length = html.length
  read.found = undefined
  read.selfClosing = false
  read.end = -1
  for (;;) {
    if (p >= length) return
    let d = html.charCodeAt(p)
    if (d === GT) break
    if (d === SLASH) {
      p++
      while (p < length && isWhitespace(html.charCodeAt(p))) p++
      if (p >= length) return
      if (html.charCodeAt(p) === GT) {
        read.selfClosing = true
        break
      }
      continue
    }
    if (isWhitespace(d)) {
      p++
      continue
    }
    // A name: its first character is taken whatever it is.
    const attrStart = p
    p++
    while (p < length) {
      d = html.charCodeAt(p)
      if (d === EQ || endsTagSection(d)) break
      p++
    }
    const attrEnd = p
    while (p < length && isWhitespace(html.charCodeAt(p))) p++
    if (p >= length) return
    let valueStart = p
    let valueEnd = p
    if (html.charCodeAt(p) === EQ) {
      p++
      while (p < length && isWhitespace(html.charCodeAt(p))) p++
      if (p >= length) return
      d = html.charCodeAt(p)
      if (d === DOUBLE_QUOTE || d === SINGLE_QUOTE) {
        const close = html.indexOf(d === DOUBLE_QUOTE ? "\"" : "'", p + 1)
        if (close === -1) return
        valueStart = p + 1
        valueEnd = close
        p = close + 1
      } else {
        valueStart = p
        while (p < length) {
          d = html.charCodeAt(p)
          if (d === GT || isWhitespace(d)) break
          p++
        }
        if (p >= length) return
        valueEnd = p
      }
    }
    if (wanted && read.found === undefined && attrEnd - attrStart === read.attr.length) {
      const name = html.slice(attrStart, attrEnd)
      if (name === read.attr ? read.attrIsLower : name.toLowerCase() === read.attr) {
        read.found = html.slice(valueStart, valueEnd)
      }
    }
  }
  read.end = p
}

/**
 * Where text resumes after `<!…`, `<?…` or `</…` at `lt` (`c` the character after `<`), or -1
 * when the page ends first.
 */
const afterMarkup = (html: string, lt: number, c: number): number => {
  const length = html.length
  if (c !== BANG) {
    const gt = html.indexOf(">", lt + 2)
    return gt === -1 ? -1 : gt + 1
  }
  const d = lt + 2 < length ? html.charCodeAt(lt + 2) : -1
  if (d === DASH) {
    if (lt + 3 >= length) return -1
    if (html.charCodeAt(lt + 3) === DASH) {
      const close = html.indexOf("-->", lt + 2)
      return close === -1 ? -1 : close + 3
    }
    const gt = html.indexOf(">", lt + 4)
    return gt === -1 ? -1 : gt + 1
  }
  if (d === OPEN_BRACKET && html.startsWith("CDATA[", lt + 3)) {
    const close = html.indexOf("]]>", lt + 9)
    return close === -1 ? -1 : close + 3
  }
  // A declaration (a `[` that does not start `CDATA[` included): to the next `>` after the
  // character following `<!`.
  const gt = html.indexOf(">", lt + 3)
  return gt === -1 ? -1 : gt + 1
}
