/**
 * Malformed HTML that tells parsers apart: mixed-case names, repeated and empty attributes, raw
 * text (script, style, title, textarea), comments, CDATA, entities, stray and unterminated tags.
 * The extraction tests check volley's answers against cheerio's (and htmlparser2's) on these.
 */
export const malformedPages: ReadonlyArray<string> = [
  `<A HREF="/up" Rel=x>u</A><a href='/q' href="/dup">d</a><a>none</a><a href="">empty</a>`,
  `<p><a href="/one">1<p><a href="/two">2</div></a></a><br></br></p>`,
  `<script>var s = '<a href="/in-script">'</script><!-- <a href="/comment"> --><a href="/after">`,
  `<a href="/x?a=1&amp;b=2&lt;&#x41;&nbsp;">e</a><a href=/bare>b</a><a href="/nested"><a href="/in">`,
  `<table><tr><td><a href="/t1"><img src="/i.png" alt="i"></td></tr></table><![CDATA[<a href="/cd">]]>`,
  `<svg><a href="/svg" xlink:href="/xl"></a></svg><textarea><a href="/text"></textarea><a data-x="y" href="/d">`,
  `</a><a href="/stray-close"`,
  `<a href="/unterminated`,
  `<STYLE>a[href="/css"] { }</STYLE><TITLE><a href="/title"></TITLE><a HREF="/after-title">`,
  `<a href="/e?x=1&copy=2&amp&lt;&#39;&#x1F600;&bogus;"><a href="&notit; &notin; &AMP">`,
  `<!DOCTYPE html><?xml version="1.0"?><a/><a href=/s/><A Href='/5' /><a\thref\n=\n'/ws'>`
]
