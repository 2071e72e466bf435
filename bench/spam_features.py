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
  repeats; character n-grams also read spellings and link shapes);
- ``nb scaling`` (round 4): each n-gram column scaled by its naive Bayes log-count ratio before
  the logistic regression (NBSVM, Wang and Manning 2012), so the regression's penalty falls
  less on n-grams that tell spam from ham in training and more on those that do not; the
  ratios are folded into the coefficients, so the served model is the same linear scorer;
  ``nb scaling, square root``: the same with the square root of the ratio, a softer scaling.
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
SHIPPED_REGRESSION = model._regression
FEATURE_SETS = ("shipped", "extra cues", "hand weight 1.0", "extra cues, hand weight 1.0",
                "no word n-grams", "nb scaling", "nb scaling, square root")
NB_ALPHA = 1.0  # add-one smoothing of the presence counts


def _nb_regression(x, y, w, c, power: float = 1.0):
    """The shipped regression on columns scaled by |naive Bayes log-count ratio| (hand
    columns, the last ones, kept at 1), its coefficients multiplied back by the same scale."""
    import numpy as np

    present = (x != 0).astype(np.float64)
    wb = model._balanced(y, w)
    spam = NB_ALPHA + np.asarray(present[y].T @ wb[y]).ravel()
    ham = NB_ALPHA + np.asarray(present[~y].T @ wb[~y]).ravel()
    scale = np.abs(np.log((spam / spam.sum()) / (ham / ham.sum()))) ** power
    scale[x.shape[1] - len(features.HAND_FEATURES):] = 1.0
    import scipy.sparse as sp

    clf = SHIPPED_REGRESSION(sp.csr_matrix(x @ sp.diags(scale)), y, w, c)
    clf.coef_ = clf.coef_ * scale
    return clf


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
    model._regression = {"nb scaling": _nb_regression,
                         "nb scaling, square root": lambda x, y, w, c: _nb_regression(
                             x, y, w, c, power=0.5)}.get(name, SHIPPED_REGRESSION)
