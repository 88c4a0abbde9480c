import { describe, expect, it } from "@effect/vitest"
import * as cheerio from "cheerio/slim"
import { decodeHTMLAttribute } from "entities/decode"
import fc from "fast-check"
import { Tokenizer } from "htmlparser2"
import { scanTagAttribute } from "../../src/extract/TagAttributeScan.js"
import { malformedPages } from "../support/MalformedHtml.js"

// The scanner's values as written, decoded as CssSelect decodes them.
const scanned = (html: string, tag: string, attr: string): Array<string> =>
  scanTagAttribute(html, tag, attr).map((value) => value.includes("&") ? decodeHTMLAttribute(value) : value)

// The scanner must give exactly the answers of htmlparser2's tokenizer, which cheerio builds its
// document from. The reference: the tokenizer's callbacks doing what its `Parser` does with the
// events that carry attributes (the streamed path volley used before the scanner).
const viaTokenizer = (html: string, tag: string, attr: string): Array<string> => {
  const values: Array<string> = []
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
      inWanted = html.slice(start, end).toLowerCase() === tag
      names = []
      found = undefined
    },
    onattribname: (start, end) => {
      name = html.slice(start, end).toLowerCase()
      value = ""
    },
    onattribdata: (start, end) => {
      value += html.slice(start, end)
    },
    onattribentity: (codepoint) => {
      value += String.fromCodePoint(codepoint)
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

const viaCheerio = (html: string, tag: string, attr: string): Array<string> => {
  const $ = cheerio.load(html)
  return $(tag).toArray().flatMap((element) => {
    const value = $(element).attr(attr)
    return value === undefined ? [] : [value]
  })
}

const pairs = [
  ["a", "href"],
  ["a", "HREF"],
  ["a", "rel"],
  ["img", "src"],
  ["p", "id"],
  ["a", "data-x"],
  ["a", "xlink:href"],
  [
    "b",
    "=x"
  ],
  ["script", "src"],
  ["title", "id"],
  ["a", "k"]
] as const

const pages = [
  ...malformedPages,
  // Comments and declarations where the tokenizer ends them.
  `<!--><a href="/1"><!---><a href="/2"><!----><a href="/3"><!-- -- --!><a href="/4"> --><a href="/5">`,
  `<!><a href="/decl1">><a href="/6"><!-><a href="/decl2">><a href="/7"><!a><a href="/8">`,
  `<![CDAT><a href="/9"><![CDATA[ ]]]><a href="/10"><![cdata[ <a href="/11"> ]]><a href="/12">`,
  `<?php echo '<a href="/pi">' ?><a href="/13"></ a href="/14"><a href="/15"></><a href="/16"></3 x><a href="/17">`,
  // Raw text: which names start it, where it ends.
  `<xitle><a href="/x1"></title><a href="/x2"><tmp><a href="/x3"></xmp ><a href="/x4">`,
  `<xextarea><a href="/x5"></TEXTAREA\n><a href="/x6"><scripts><a href="/x7"></scripts><stylex><a href="/x8">`,
  `<script/><a href="/s1"><script / ><a href="/s2"><script x=/><a href="/s3"></script><a href="/s4">`,
  `<script></script/><a href="/s5"></script ><a href="/s6"><style></stylesheet></style\t><a href="/s7">`,
  `<script><</script><a href="/s8"><script></scr</script><a href="/s9"><script><!-- </script> --><a href="/s10">`,
  `<script>\u001c/script><a href="/c1"></script><script></x\u001c\u000fscript><a href="/c2"></script><a href="/c3">`,
  `<title>&lt;&amp</title><a href="/t1"><title>a\u001c/title><a href="/t2"></title><a href="/t3">`,
  `<title></title</title><a href="/t4"><textarea></textarea x="<a href='/t5'>"><a href="/t6">`,
  // Attribute syntax.
  `<a =x href=/e1><b =x=1 =x=2><a "href"=/q href=/e2><a href = "/e3" / ><a href=/e4/ x><a x/ href=/e5>`,
  `<a href=><a href= ><a href="/e6"href='/e7'><a href='/e8'x=y><a href=a&amp;b&ampc&amp=d&#>`,
  `<a\fhref=/ff><a\rhref=/cr><a\u000bhref=/vt><a href=\u000b/vt2><a hrEF=/case><a HREF="&quot;&#34">`,
  `<a<a href=/lt><a\u212a=kelvin k=/k><a href='/unterminated-single`,
  `<a href="/x">`,
  `<`,
  `<a`,
  `<a `,
  `<a href`,
  `<a href=`,
  `<a href=x`,
  `<a href=x/`,
  `<!-`,
  `<![CDATA`,
  `<script>`,
  `<script></script`,
  `<a href="&amp"><a href="&ampx"><a href="&amp=1"><a href="&#x;"><a href="&#0;"><a href="&#xD800;">`
]

describe("scanTagAttribute", () => {
  it("agrees with htmlparser2's tokenizer and with cheerio on hand-picked pages", () => {
    for (const html of pages) {
      for (const [tag, attr] of pairs) {
        const values = scanned(html, tag, attr)
        expect([html, tag, attr, values]).toEqual([html, tag, attr, viaTokenizer(html, tag, attr)])
        expect([html, tag, attr, values]).toEqual([html, tag, attr, viaCheerio(html, tag, attr)])
      }
    }
  })
  it("reads a page's links", () => {
    const html = `<ul><li><a href="/a">A</a></li><li><a class=x href='/b?c=1&amp;d=2'>B</a></li></ul>`
    expect(scanTagAttribute(html, "a", "href")).toEqual(["/a", "/b?c=1&amp;d=2"])
    expect(scanned(html, "a", "href")).toEqual(["/a", "/b?c=1&d=2"])
  })

  // Pages made of the tokens that change the tokenizer's state, and of their characters alone.
  const token = fc.constantFrom(
    "<a href=\"/1\">",
    "<A HREF=/2>",
    "<a>",
    "</a>",
    "<p id=p>",
    "</p>",
    "<img src=\"/i\">",
    "<br>",
    "</br>",
    "<script>",
    "</script>",
    "</SCRIPT ",
    "<style>",
    "</style>",
    "<title>",
    "</title>",
    "<textarea>",
    "</textarea>",
    "<xmp>",
    "</xmp>",
    "<tmp>",
    "<xitle>",
    "<scripts>",
    "<!--",
    "-->",
    "--",
    "<!-->",
    "<!>",
    "<!->",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE html>",
    "<?xml version=\"1.0\"?>",
    "</",
    "<",
    ">",
    "/>",
    "/",
    "=",
    " = ",
    "\"",
    "'",
    " ",
    "\t",
    "\n",
    "\u000b",
    "\u001c",
    "\u000f",
    "text & more ",
    "&amp;",
    "&amp",
    "&lt",
    "&#x41",
    "&#65;",
    "&notin;",
    "&not",
    "<a href='/3' href=\"/4\">",
    "<a/>",
    "<a href=/s/>",
    "<A Href='/5' />",
    "<a href=\"/e?x=1&copy=2&amp&lt;&#39;&#x1F600;&bogus;\">",
    "<a\thref\n=\n'/ws'>",
    "<a =x href=/6>",
    "<svg>",
    "</svg>",
    "a",
    "href",
    "x"
  )
  const soups = fc.oneof(
    fc.array(token, { maxLength: 40 }).map((tokens) => tokens.join("")),
    fc.array(fc.constantFrom(..."<>/!-?[]=\"' \t\n&;#xaAhrefsciptl\u001c\u000fCDAT"), { maxLength: 60 }).map((cs) =>
      cs.join("")
    )
  )
  it("agrees with htmlparser2's tokenizer on generated pages", () => {
    fc.assert(
      fc.property(soups, (html) => {
        for (const [tag, attr] of [["a", "href"], ["p", "id"], ["img", "src"]] as const) {
          expect(scanned(html, tag, attr)).toEqual(viaTokenizer(html, tag, attr))
        }
      }),
      { numRuns: 20000 }
    )
  })
  it("agrees with cheerio on generated pages", () => {
    fc.assert(
      fc.property(soups, (html) => {
        expect(scanned(html, "a", "href")).toEqual(viaCheerio(html, "a", "href"))
      }),
      { numRuns: 2000 }
    )
  })
})
