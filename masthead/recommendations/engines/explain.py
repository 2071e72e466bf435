"""Why two articles were paired: the shared terms that contribute most to their text score, and
the tags, section and authors they have in common. Computed on demand from the stored rows, so
the full build never pays for explanations nobody reads."""

from __future__ import annotations

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
    weight: dict[str, float] = {}
    for k in np.argsort(-contrib, kind="stable")[: 5 * n_terms].tolist():
        name = vocab.name(int(shared[k]))
        words = set(name.split())
        overlap = [t for t in terms if words & set(t.split())]
        if not overlap:
            if len(terms) < n_terms:
                terms.append(name)
                weight[name] = float(contrib[k])
        elif (
            len(overlap) == 1
            and set(overlap[0].split()) < words
            and (contrib[k] >= 0.5 * weight[overlap[0]])
        ):
            # The pair names the thing better than its word alone: "red sox" for "sox".
            terms[terms.index(overlap[0])] = name
            weight[name] = weight[overlap[0]]
    sec_a, tags_a, authors_a = features.docs_meta[a]
    sec_b, tags_b, authors_b = features.docs_meta[b]
    return Explanation(
        terms=tuple(terms),
        tags=_shared(tags_a, tags_b),
        section=sec_a if sec_a and sec_a == sec_b else "",
        authors=_shared(authors_a, authors_b),
    )


def _shared(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
    other = {t.strip().lower() for t in theirs}
    return tuple(t for t in mine if t.strip().lower() in other)
