"""Why two articles were paired: the shared terms that contribute most to their text score, the
tags, section and authors they have in common, the figures, dates and names both give (when the
engine weighs them: ``facts.py``) and how far apart they were published. Computed on demand
from the stored rows; a full rebuild explains each article's picks together (``explain_all``)."""

from __future__ import annotations

import math

import numpy as np

from .base import Explanation
from .features import Features


def explain(features: Features, a: int, b: int, n_terms: int = 3) -> Explanation:
    return explain_all(features, a, [b], n_terms)[0]


def explain_all(features: Features, a: int, others: list[int],
                n_terms: int = 3) -> list[Explanation]:
    """``explain(features, a, b)`` for every ``b`` of ``others``, in one pass over a's row.

    A full rebuild explains the stored picks of every article (1M articles: 8M explanations,
    most of the lists phase). Explained one at a time, each paid a dozen NumPy calls on rows
    of a few hundred columns and named its terms afresh; here the picks' rows are searched in
    a's sorted columns at once, ranked by one stable sort, and each column is named once an
    article. Ties keep the order of one-at-a-time explanations (ascending column)."""
    if not others:
        return []
    cols_a, vals_a = features.text.row(a)
    rows = [features.text.row(b) for b in others]
    cols_b = np.concatenate([c for c, _ in rows])
    vals_b = np.concatenate([v for _, v in rows])
    group = np.repeat(np.arange(len(others)), [len(c) for c, _ in rows])
    if len(cols_a) and len(cols_b):
        # Text rows are sorted and unique (Vectoriser.weigh_one): a binary search finds them.
        pos = np.searchsorted(cols_a, cols_b)
        pos[pos == len(cols_a)] = 0
        hit = np.flatnonzero(cols_a[pos] == cols_b)
    else:
        pos = hit = np.zeros(0, dtype=np.intp)
    contrib = vals_a[pos[hit]] * vals_b[hit]
    group = group[hit]
    order = np.lexsort((-contrib, group))  # by pick, then strongest first; stable
    bounds = np.searchsorted(group[order], np.arange(len(others) + 1)).tolist()
    ranked_cols = cols_b[hit][order].tolist()
    ranked_contrib = contrib[order].tolist()
    vocab = features.vectoriser.vocab
    named: dict[int, tuple[str, set[str]]] = {}
    meta_a = features.docs_meta[a]
    out = []
    for g, b in enumerate(others):
        top = range(bounds[g], min(bounds[g] + 5 * n_terms, bounds[g + 1]))
        terms = _terms([ranked_cols[k] for k in top], [ranked_contrib[k] for k in top],
                       vocab, named, n_terms)
        out.append(_explanation(features, a, b, meta_a, terms, n_terms))
    return out


def _terms(cols: list[int], contrib: list[float], vocab, named: dict,
           n_terms: int) -> tuple[str, ...]:
    """The strongest shared terms, a word pair replacing its word when it names the thing
    better ("red sox" for "sox"); ``cols`` strongest first."""
    terms: list[str] = []
    words_of: list[set[str]] = []  # each chosen term's words
    owner: dict[str, int] = {}  # word -> the chosen term holding it (their words never overlap)
    weight: dict[str, float] = {}
    for col, value in zip(cols, contrib):
        if col not in named:
            name = vocab.name(col)
            named[col] = (name, set(name.split()))
        name, words = named[col]
        overlap = {owner[w] for w in words if w in owner}
        if not overlap:
            if len(terms) < n_terms:
                owner.update(dict.fromkeys(words, len(terms)))
                terms.append(name)
                words_of.append(words)
                weight[name] = value
        elif len(overlap) == 1:
            (i,) = overlap
            if words_of[i] < words and value >= 0.5 * weight[terms[i]]:
                weight[name] = weight[terms[i]]
                terms[i], words_of[i] = name, words
                owner.update(dict.fromkeys(words, i))
    return tuple(terms)


def _explanation(features: Features, a: int, b: int, meta_a, terms: tuple[str, ...],
                 n_terms: int) -> Explanation:
    sec_a, tags_a, authors_a = meta_a
    sec_b, tags_b, authors_b = features.docs_meta[b]
    apart = abs(float(features.times[a]) - float(features.times[b]))
    return Explanation(
        terms=terms,
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
