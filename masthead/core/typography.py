"""Typographic quotes and dashes for display: `smarten("Kovan's 'historic' trip -- ...")`.

Where curly quotes come from (docs/images.md, "Typography"): stored text stays as typed, so
search, feeds' titles, the JSON API, exports and the editor all see exactly what the writer
wrote. Display adds the typography: a body's rendered HTML (`core.html.render_markdown`, with
markdown-it's own `smartquotes` and `replacements` rules) and headlines and standfirsts on
reader pages (this function, as the `smarten` filter of the reader templates and in the blocks
built in Python). Search needs nothing: both engines split words at any punctuation, so
"Kovan’s" in a rendered body is indexed as "kovan s", as "Kovan's" typed in the box is
searched (search/tests/test_smart_quotes.py checks it).

A headline is short and shown on many pages, so results are cached per string.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RULES = (
    (re.compile(r"---"), "\u2014"),                 # em dash
    (re.compile(r"(?<=\s)--?(?=\s)"), "\u2013"),     # spaced hyphen(s): en dash, as in the press
    (re.compile(r"(?<=\d)-(?=\d)"), "\u2013"),       # 1897-1902: a range
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"(?<=\w)'(?=\w)"), "\u2019"),       # apostrophe inside a word: Kovan's
    (re.compile(r"(?<![\w.,!?)\]])'(?=\d\ds\b)"), "\u2019"),  # '90s
    (re.compile(r"(?:^|(?<=[\s(\[{\u2014\u2013]))'"), "\u2018"),  # opening single
    (re.compile(r"'"), "\u2019"),                                 # closing single / apostrophe
    (re.compile(r"(?:^|(?<=[\s(\[{\u2014\u2013]))\""), "\u201c"),  # opening double
    (re.compile(r"\""), "\u201d"),                                 # closing double
)
_NEEDS_WORK = re.compile(r"['\"]|--|\.\.\.|\s-\s|\d-\d")


@lru_cache(maxsize=8192)
def _smarten(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def smarten(text) -> str:
    """`text` with curly quotes, apostrophes, en/em dashes and ellipses (plain text in, plain
    text out: escape it afterwards, as templates do)."""
    if not text:
        return text or ""
    text = str(text)
    if not _NEEDS_WORK.search(text):
        return text
    return _smarten(text)

