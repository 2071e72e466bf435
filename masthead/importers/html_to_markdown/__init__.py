"""Someone else's HTML → Masthead's safe Markdown body (and → plain text).

Owns the one conversion every importer that receives HTML shares: WordPress posts
(`sources/wxr.py`), feed entries (`sources/feed.py`) and saved article pages (`sources/html.py`).
Public functions: `html_to_markdown(html, base_url="")`, `html_to_plain_text(html)`,
`text_to_markdown(text)`, and the pieces sources may reuse: `escape_markdown(text)` and
`safe_url(url, base_url, images=False)`. Modules: `markup` (the element allow-list and the
parser), `text` (escaping, URLs, paragraphs, plain text), `blocks` (the Markdown writer).

What survives is an allow-list, not a block-list: paragraphs, headings (`<h1>` is demoted to
`##` because the article page owns the only `<h1>`), lists, block quotes, simple tables, code,
emphasis, links (http, https, mailto, site-relative) and images (http and https only). Every
other element is either unwrapped (its text kept) or, for active and chrome content (script,
style, iframe, forms, nav, …), dropped with everything inside it.

Why the output is safe even outside Masthead's own renderer: text is escaped so no Markdown or
HTML syntax can be smuggled through (`<` becomes `&lt;`, `script:` becomes `script&#58;`), and
URLs are percent-encoded, so the Markdown contains no raw `<script` or `javascript:` except
inside code blocks and code spans, where every Markdown renderer shows it as literal text.
The property tests in `tests/test_html_to_markdown.py` hold us to that.
"""

from .blocks import html_to_markdown
from .text import escape_markdown, html_to_plain_text, safe_url, text_to_markdown

__all__ = [
    "escape_markdown",
    "html_to_markdown",
    "html_to_plain_text",
    "safe_url",
    "text_to_markdown",
]
