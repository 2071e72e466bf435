"""Feature variants of the spam filter tried under ``bench/spam_protocol.py`` (issue 19).

Each variant patches the one place the shipped filter defines a feature, in training
(``features.py``) and in pure-Python scoring (``scoring.py``) alike, so a variant is scored
exactly as it would be served. Nothing here is imported by the site; a variant that passes the
keep rule moves into ``masthead/comments/spam/cues.py`` with a feature-version bump.

- ``extra cues``: nine more cues meant to carry over to new sources and late periods — distinct
  link hosts, link shorteners, links with a path or query, e-mail addresses, phone-like digit
  runs, emoji share, punctuation share, repeated words, all-caps words;
- ``hand weight 1.0``: the hand cues weigh twice as much against the n-grams (``HAND_SCALE``
  0.5 → 1.0), so what transfers counts more than the words one source uses;
- ``extra cues, hand weight 1.0``: both;
- ``no word n-grams``: character n-grams and hand cues only (words are what one source's spam
  repeats; character n-grams also read spellings and link shapes).
"""

from __future__ import annotations

import math
import re
import unicodedata

from masthead.comments.spam import cues, features, model, scoring
from masthead.comments.spam.text import Prepared

_SHORTENERS = {"bit.ly", "goo.gl", "tinyurl.com", "ow.ly", "t.co", "adf.ly", "is.gd", "buff.ly"}
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_PHONE = re.compile(r"(?:\+|\b)\d[\d\s().-]{7,}\d\b")
_WORD = re.compile(r"\w+")

EXTRA = ("hosts", "shortener", "link_path", "email", "phone", "emoji_ratio", "punct_ratio",
         "repeated_words", "caps_words")


def _host(url: str) -> str:
    u = url.lower().split("://", 1)[-1]
    return u.split("/", 1)[0].split("?", 1)[0].removeprefix("www.")


def extra_cues(p: Prepared) -> list[float]:
    text = p.text.replace("zzlink", " ").replace("zzhost", " ")
    visible = [c for c in text if not c.isspace()]
    n = len(visible) or 1
    emoji = sum(unicodedata.category(c) == "So" for c in visible)
    punct = sum(unicodedata.category(c).startswith("P") for c in visible)
    words = _WORD.findall(text)
    lower = [w.lower() for w in words]
    repeated = 1.0 - len(set(lower)) / len(lower) if len(lower) >= 4 else 0.0
    caps = sum(len(w) >= 3 and w.isupper() for w in words) / len(words) if words else 0.0
    hosts = {_host(u) for u in p.urls}
    path = any("?" in u or u.split("://", 1)[-1].count("/") >= 2 for u in p.urls)
    return [
        math.log1p(len(hosts)),
        float(bool(hosts & _SHORTENERS)),
        float(path),
        float(bool(_EMAIL.search(p.text))),
        float(bool(_PHONE.search(text))),
        emoji / n,
        punct / n,
        repeated,
        caps,
    ]


def _with_extra(p: Prepared) -> list[float]:
    return SHIPPED_CUES(p) + extra_cues(p)


SHIPPED_CUES = cues.hand_features
SHIPPED_NAMES = cues.HAND_FEATURES
SHIPPED_SCALE = scoring.HAND_SCALE
SHIPPED_WORDS = features.WORD_HASHER
FEATURE_SETS = ("shipped", "extra cues", "hand weight 1.0", "extra cues, hand weight 1.0",
                "no word n-grams")


class _NoWords:
    """A word hasher that finds no n-grams: the trained model has no word columns, so the
    pure-Python scorer's word block adds 0, as training saw."""

    def transform(self, texts):
        import scipy.sparse as sp

        return sp.csr_matrix((len(texts), SHIPPED_WORDS.n_features))


def use(name: str) -> None:
    """Make training and scoring use feature set ``name`` (one of FEATURE_SETS)."""
    if name not in FEATURE_SETS:
        raise ValueError(f"unknown feature set {name!r}; one of {FEATURE_SETS}")
    extra = name.startswith("extra cues")
    fn = _with_extra if extra else SHIPPED_CUES
    names = SHIPPED_NAMES + EXTRA if extra else SHIPPED_NAMES
    scale = 1.0 if name.endswith("hand weight 1.0") else SHIPPED_SCALE
    for mod in (features, scoring):
        mod.hand_features = fn
        mod.HAND_FEATURES = names
    scoring.HAND_SCALE = model.HAND_SCALE = scale
    features.WORD_HASHER = _NoWords() if name == "no word n-grams" else SHIPPED_WORDS
