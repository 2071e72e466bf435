"""Text measures shared by pages, feeds and the newsroom: word counts and reading time."""

from __future__ import annotations

import math
import re

_WORD_RE = re.compile(r"[\w'’-]+", re.UNICODE)


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
