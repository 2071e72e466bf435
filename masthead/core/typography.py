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

# One pass over the text: a reader page smartens a dozen headlines and standfirsts, and ten
# separate substitutions cost ~7 times this (measured: ~150 µs against ~20 µs a teaser).
_TOKENS = re.compile(r"---|(?<=\s)--?(?=\s)|(?<=\d)-(?=\d)|\.\.\.|['\"]")
_OPENING_AFTER = frozenset(" \t\n([{-\u2014\u2013\u00a0")
_DECADE = re.compile(r"\d\ds\b")


def _replace(match: re.Match) -> str:
    found = match.group()
    if found == "---":
        return "\u2014"  # em dash
    if found[0] == "-":
        return "\u2013"  # spaced hyphen(s), as the press writes an en dash; or a range 1897-1902
    if found == "...":
        return "\u2026"
    text, at = match.string, match.start()
    before = text[at - 1] if at else " "
    if found == "'":
        if before.isalnum():
            return "\u2019"  # apostrophe (Kovan's) or closing quote
        if _DECADE.match(text, at + 1):
            return "\u2019"  # '90s
        return "\u2018" if before in _OPENING_AFTER else "\u2019"
    return "\u201c" if before in _OPENING_AFTER else "\u201d"


@lru_cache(maxsize=8192)
def _smarten(text: str) -> str:
    return _TOKENS.sub(_replace, text)


def smarten(text) -> str:
    """`text` with curly quotes, apostrophes, en/em dashes and ellipses (plain text in, plain
    text out: escape it afterwards, as templates do)."""
    if not text:
        return text or ""
    return _smarten(str(text))

