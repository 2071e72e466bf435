"""Why two articles were paired: the shared terms that contribute most to their text score, the
tags, section and authors they have in common, the figures, dates and names both give (when the
engine weighs them: ``facts.py``) and how far apart they were published. Computed on demand
from the stored rows, so the full build never pays for explanations nobody reads."""

from __future__ import annotations

import math

import numpy as np

from .base import Explanation
from .features import Features


def explain(features: Features, a: int, b: int, n_terms: int = 3) -> Explanation:
    cols_a, vals_a = features.text.row(a)
    cols_b, vals_b = features.text.row(b)
    shared, ia, ib = np.intersect1d(cols_a, cols_b, assume_unique=True, return_indices=True)
    contrib = vals_a[ia] * vals_b[ib]
    vocab = features.vectoriser.vocab
    terms: list[str] = []
    words_of: list[set[str]] = []  # each chosen term's words, split once
    weight: dict[str, float] = {}
    for k in np.argsort(-contrib, kind="stable")[: 5 * n_terms].tolist():
        name = vocab.name(int(shared[k]))
        words = set(name.split())
        overlap = [n for n, chosen in enumerate(words_of) if words & chosen]
        if not overlap:
            if len(terms) < n_terms:
                terms.append(name)
                words_of.append(words)
                weight[name] = float(contrib[k])
        elif (
            len(overlap) == 1
            and words_of[overlap[0]] < words
            and (contrib[k] >= 0.5 * weight[terms[overlap[0]]])
        ):
            # The pair names the thing better than its word alone: "red sox" for "sox".
            weight[name] = weight[terms[overlap[0]]]
            terms[overlap[0]], words_of[overlap[0]] = name, words
    sec_a, tags_a, authors_a = features.docs_meta[a]
    sec_b, tags_b, authors_b = features.docs_meta[b]
    apart = abs(float(features.times[a]) - float(features.times[b]))
    return Explanation(
        terms=tuple(terms),
        tags=_shared(tags_a, tags_b),
        section=sec_a if sec_a and sec_a == sec_b else "",
        authors=_shared(authors_a, authors_b),
        facts=_shared_facts(features, a, b, n_terms),
        days_apart=None if math.isnan(apart) else int(apart),
    )


def _shared_facts(features: Features, a: int, b: int, n: int) -> tuple[str, ...]:
    """The rarest facts both articles give (highest idf first), when facts are weighed."""
    if not features.weighs_facts or features.facts.n_rows <= max(a, b):
        return ()
    cols_a, vals_a = features.facts.row(a)
    cols_b, _ = features.facts.row(b)
    shared, ia, _ = np.intersect1d(cols_a, cols_b, assume_unique=True, return_indices=True)
    order = np.argsort(-vals_a[ia], kind="stable")[:n]
    return tuple(features.fact_index.name(int(shared[k])) for k in order.tolist())


def _shared(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
    if not mine or not theirs:
        return ()
    other = {t.strip().lower() for t in theirs}
    return tuple(t for t in mine if t.strip().lower() in other)
