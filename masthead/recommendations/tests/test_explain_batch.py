"""Explaining an article's picks together (`explain_all`, what a full rebuild stores) gives the
very explanations of explaining each pair alone, as the engine did before (the former code is
kept below as the reference), on a slice of the shared news corpus: real word pairs, ties and
articles with no shared words."""

from __future__ import annotations

import math

import numpy as np
import pytest

from masthead.recommendations.engines import Doc, LexicalEngine
from masthead.recommendations.engines.base import Explanation
from masthead.recommendations.engines.explain import _shared, _shared_facts, explain_all

from .test_engine_corpus import read, when


def former_explain(features, a: int, b: int, n_terms: int = 3) -> Explanation:
    cols_a, vals_a = features.text.row(a)
    cols_b, vals_b = features.text.row(b)
    shared, ia, ib = np.intersect1d(cols_a, cols_b, assume_unique=True, return_indices=True)
    contrib = vals_a[ia] * vals_b[ib]
    vocab = features.vectoriser.vocab
    terms: list[str] = []
    words_of: list[set[str]] = []
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
            weight[name] = weight[terms[overlap[0]]]
            terms[overlap[0]], words_of[overlap[0]] = name, words
    sec_a, tags_a, authors_a = features.docs_meta[a]
    sec_b, tags_b, authors_b = features.docs_meta[b]
    apart = abs(float(features.times[a]) - float(features.times[b]))
    return Explanation(
        terms=tuple(terms), tags=_shared(tags_a, tags_b),
        section=sec_a if sec_a and sec_a == sec_b else "",
        authors=_shared(authors_a, authors_b), facts=_shared_facts(features, a, b, n_terms),
        days_apart=None if math.isnan(apart) else int(apart),
    )


@pytest.fixture(scope="module")
def engine():
    rows = [r for r in read("ecbplus.jsonl") if int(r["story"].split("-")[0]) <= 12]
    rows += read("bbc.jsonl")[::10]
    engine = LexicalEngine()
    engine.fit(Doc(r["id"], r["title"], r["body"], section=r.get("category", ""),
                   published_at=when(r)) for r in rows)
    return engine


def test_batched_explanations_equal_the_former_one_at_a_time(engine):
    features = engine.features
    n = features.n_slots
    pairs = 0
    rng = np.random.default_rng(7)
    for a in range(n):
        # Its stored picks plus random others (mostly unrelated: few or no shared words).
        others = [o for o, _ in engine.lists.visible(a, 8)]
        others += rng.choice(n, 4, replace=False).tolist()
        got = explain_all(features, a, others)
        assert got == [former_explain(features, a, b) for b in others]
        pairs += len(others)
    assert pairs > 4000
    assert sum(1 for a in range(n) for r in explain_all(features, a, [o for o, _ in
               engine.lists.visible(a, 4)]) if " " in " ".join(r.terms)) > 0  # pairs named


def test_an_article_without_words_is_explained_by_its_metadata():
    engine = LexicalEngine()
    engine.fit([Doc("a", "Harbour storm damage", "storm damage at the harbour", section="News"),
                Doc("b", "Harbour storm repairs", "repairs after the storm", section="News"),
                Doc("c", "", "", section="News")])
    a, c = engine.slot_of["a"], engine.slot_of["c"]
    assert explain_all(engine.features, c, [a]) == [former_explain(engine.features, c, a)]
    assert explain_all(engine.features, c, [a])[0].terms == ()
    assert explain_all(engine.features, a, []) == []
