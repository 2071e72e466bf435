"""Hand-made spam cues of a prepared comment: the features a moderator would name.

Links, "check out my channel", money talk, SHOUTING, digit soup, "!!!!!", HTML. They carry over
to sites whose spam uses new words; the learned model (`features.py`, `scoring.py`) and the
rules-only filter (`rules.py`) both read them. Pure Python: the rules filter and the scoring path
must not pull in NumPy, SciPy or scikit-learn (docs/performance.md, "Memory").
"""

from __future__ import annotations

import math
import re

from .text import Prepared, looks_like_link

# English cues: the corpora we can measure on are English, other languages rely on n-grams.
_SELF_PROMO = re.compile(
    r"\b(?:my|our)\s+(?:new\s+|first\s+|own\s+)?(?:channel|videos?|vids?|music|songs?|page|"
    r"blog|website|site|rap|covers?|playlist|youtube|account|profile|band|tracks?|mixtape|"
    r"stream|app|shop|store)\b",
    re.IGNORECASE,
)
_CALL_TO_ACTION = re.compile(
    r"\b(?:check(?:ing)?\s+(?:it\s+|this\s+|me\s+|my\s+\w+\s+)?out|check\s+(?:my|this)|"
    r"subscri\w*|sub\s*(?:4|for)\s*sub|visit|click|follow\s+(?:me|us)|"
    r"like\s+(?:this|my|the)\s+(?:comment|video|page|post)|share\s+(?:this|my|it)|go\s+to\s+my|"
    r"please\s+(?:like|sub|check|watch|help|visit)|thumbs?\s+up|view\s+my|watch\s+my|"
    r"sign\s+up|join\s+(?:us|my|now)|look\s+at\s+(?:this|my)|help\s+me\s+(?:reach|get))\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"(?:\$\s?\d|\b\d+\s?(?:dollars|usd|bucks)\b|\b(?:money|earn(?:ing|s)?|cash|income|free|"
    r"win(?:ner)?|prize|gift\s*cards?|bitcoin|crypto|invest\w*|paypal|per\s+(?:day|week|month|"
    r"hour)|work(?:ing)?\s+from\s+home|loan|casino|viagra|discount)\b)",
    re.IGNORECASE,
)
_SOCIAL = re.compile(
    r"\b(?:facebook|twitter|instagram|soundcloud|youtube|tumblr|snapchat|tiktok|whatsapp|"
    r"telegram|zzhost\w*)\b",
    re.IGNORECASE,
)

_CUES = (_SELF_PROMO, _CALL_TO_ACTION, _MONEY, _SOCIAL)
# The same patterns without IGNORECASE, for lower-cased ASCII text: the same matches (ASCII
# case-folding is lower(), and the patterns' literals are lower case), found 2-3x faster
# (27 instead of 55 µs a comment; importing 5M comments scores every one, issue 20).
_CUES_LOWER = tuple(re.compile(c.pattern, c.flags & ~re.IGNORECASE) for c in _CUES)


def _cue_counts(text: str) -> list[int]:
    if text.isascii():
        lower = text.lower()
        return [len(c.findall(lower)) for c in _CUES_LOWER]
    return [len(c.findall(text)) for c in _CUES]


HAND_FEATURES = (
    "links",
    "has_link",
    "obfuscated_links",
    "self_promo",
    "call_to_action",
    "money",
    "social",
    "caps_ratio",
    "digit_ratio",
    "max_run",
    "exclaims",
    "length",
    "words",
    "url_field",
    "tags",
    "entities",
    "invisible",
    "author_digits",
    "author_link",
)


# Three or more of one character: only runs that long move the "max_run" cue (max(run - 2, 0)).
_RUN = re.compile(r"(.)\1{2,}", re.DOTALL)


def _longest_run(text: str) -> int:
    """The longest run of one character, when it is 3 or more (else 0: the cue is 0 either
    way). A regex finds the runs in C; grouping every character in Python cost ~0.4 ms a
    comment, a tenth of importing an article with its comments (docs/performance.md)."""
    return max(map(len, (m.group() for m in _RUN.finditer(text))), default=0)


def hand_features(p: Prepared) -> list[float]:
    """The HAND_FEATURES of one prepared comment, each already on a log or 0..1 scale."""
    text = p.text.replace("zzlink", " ").replace("zzhost", " ")
    # Counted with C-level filter/map, not per-character generators (same values; ~4x faster).
    letters = "".join(filter(str.isalpha, text))
    upper = sum(map(str.isupper, letters))
    visible = "".join(text.split())  # str.split() splits exactly where str.isspace() is true
    digits = sum(map(str.isdigit, visible))
    # Shouting only means something over a sentence; "OK" or "LOL" alone is not 100 % caps spam.
    caps = upper / len(letters) if len(letters) >= 8 else 0.0
    author_digits = sum(map(str.isdigit, p.author))
    author_link = any(looks_like_link(token) for token in p.author.split())
    promo, action, money, social = _cue_counts(p.text)
    return [
        math.log1p(len(p.urls)),
        float(bool(p.urls)),
        float(min(p.obfuscated_links, 3)),
        float(min(promo, 3)),
        float(min(action, 4)),
        float(min(money, 3)),
        float(min(social, 3)),
        caps,
        digits / len(visible) if visible else 0.0,
        math.log1p(max(_longest_run(text) - 2, 0)),
        math.log1p(text.count("!")),
        math.log1p(p.raw_length),
        math.log1p(len(text.split())),
        float(bool(p.url_field)),
        math.log1p(p.tag_count),
        math.log1p(p.entity_count),
        math.log1p(p.invisible_count),
        float(author_digits >= 3),
        float(author_link),
    ]
