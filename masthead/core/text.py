"""Text shared by pages, feeds and the newsroom: cleaning, word counts and reading time.

`clean_text` is the one rule for what characters a stored text may hold (issue 15, item 1):
none that XML 1.0 cannot carry, so a feed or sitemap can always be written.
"""

from __future__ import annotations

import math
import re

_WORD_RE = re.compile(r"[\w'’-]+", re.UNICODE)

# XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets) leaves out the C0 controls
# other than tab, newline and carriage return, the surrogates (a lone one reaches Python from
# a JSON "\ud800" escape and cannot even be encoded as UTF-8) and U+FFFE/U+FFFF. A form feed
# in an article body made Django's feed writer raise UnserializableContentError (issue 15).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` without the characters no feed, sitemap or XML export could carry."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def word_count(text: str) -> int:
    return len(_WORD_RE.findall(text or ""))


def reading_minutes(words: int, words_per_minute: int = 230) -> int:
    """Whole minutes, at least one: 230 wpm is the usual adult silent-reading rate for news."""
    return max(1, math.ceil(words / words_per_minute))


def summarise(text: str, limit: int = 200) -> str:
    """Cut plain text at a word boundary, with an ellipsis when shortened."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def is_row_id(text: str) -> bool:
    """Whether `text` can name a database row: decimal digits that `int()` reads (`"3²"`
    passes `isdigit()` but not `int()`), few enough for a 64-bit integer (SQLite raises
    OverflowError beyond, a 500 the security suite found)."""
    return text.isdecimal() and len(text) <= 18
