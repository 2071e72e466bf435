"""The relevance floor's two paths and the shared-neighbour profiles of the lexical engine.

A candidate is relevant on its text (+ metadata) alone, or on weak shared wording corroborated
by the topic space and shared neighbours; never on topics or neighbours alone.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import scipy.sparse as sp

from masthead.recommendations.engines import LexicalEngine, LexicalSettings
from masthead.recommendations.engines.lexical import _gather

from .test_engine_corpora import generated, small_corpus

# A topic space needs 200 articles by default; the generated corpus has 60.
WITH_TOPICS = LexicalSettings(min_docs_for_topics=20, topic_dims=8)


def lists(settings: LexicalSettings, docs) -> dict[str, list[str]]:
    engine = LexicalEngine(settings)
    engine.fit(docs)
    return {k: [r.key for r in items] for k, items in engine.all_related()}


def test_corroborated_evidence_admits_what_the_text_floor_alone_would_refuse():
    docs = generated()
    no_text_floor = dataclasses.replace(WITH_TOPICS, floor=math.inf, evidence_text=0.0)
    admitted = lists(dataclasses.replace(no_text_floor, evidence_floor=0.0), docs)
    refused = lists(dataclasses.replace(no_text_floor, evidence_floor=math.inf), docs)
    assert all(v == [] for v in refused.values())
    # What the evidence path admits is the article's own story first.
    story = {d.key: d.key.split("-")[0] for d in docs}
    assert all(story[v[0]] == story[k] for k, v in admitted.items())


def test_evidence_needs_some_shared_wording():
    docs = generated()
    settings = dataclasses.replace(
        WITH_TOPICS, floor=math.inf, evidence_floor=0.0, evidence_text=1.0
    )
    assert all(v == [] for v in lists(settings, docs).values())


def test_neighbours_alone_never_make_a_loner_related():
    # Six articles: everyone's 20-neighbour profile is "everyone else", so profiles overlap
    # whatever the articles are about. No topic space here, so only the text floor applies.
    settings = LexicalSettings(evidence_floor=0.0, evidence_text=0.0)
    got = lists(settings, small_corpus())
    assert got["loner-bees"] == []
    assert all("loner-bees" not in v for v in got.values())


def test_the_wide_profile_reorders_but_keeps_stories_together():
    docs = generated()
    story = {d.key: d.key.split("-")[0] for d in docs}
    for weight in (0.0, 0.25, 0.5):
        got = lists(dataclasses.replace(WITH_TOPICS, wide_neighbour_weight=weight), docs)
        assert all(story[v[0]] == story[k] for k, v in got.items() if v)


def test_gather_reads_the_profile_product_block_by_block():
    rng = np.random.default_rng(1)
    p = sp.random(23, 23, density=0.2, random_state=2, dtype=np.float32, format="csr")
    cand = rng.integers(-1, 23, size=(23, 6))
    dense = (p @ p.T).toarray()
    want = dense[np.arange(23)[:, None], np.maximum(cand, 0)]  # -1 (no candidate): masked later
    for block in (1, 5, 64):
        out = np.ones((23, 6), np.float32)  # added into, weighted: the final score in place
        _gather(p, cand, block, out, 0.5)
        np.testing.assert_allclose(out, 1 + 0.5 * want, rtol=1e-6)


def _closeness_as_written(s: LexicalSettings, t, times) -> np.ndarray:
    """The recency bonus and distance penalty as the settings' comments state them."""
    with np.errstate(invalid="ignore"):
        apart = np.abs(times - t)
        out = s.recency_weight * np.exp(-apart / s.recency_days)
        if s.distance_weight:
            far = np.clip((apart - s.distance_grace_days) / s.distance_span_days, 0, 1)
            out = out - s.distance_weight * far
    return np.nan_to_num(out, nan=0.0).astype(np.float32)


def test_closeness_in_float32_follows_the_formula_as_written():
    from masthead.recommendations.engines.features import Features

    rng = np.random.default_rng(1)
    times = rng.uniform(0, 20_000, 50_000)
    times[rng.random(50_000) < 0.05] = np.nan  # undated articles
    for s in (LexicalSettings(), LexicalSettings(distance_weight=0.1)):
        f = Features(s)
        for t in (times[3], times[5], np.nan, 20_000.0):
            np.testing.assert_allclose(f._closeness(t, times), _closeness_as_written(s, t, times),
                                       rtol=0, atol=1e-7)
        rows, others = rng.integers(0, 50_000, 40), rng.integers(0, 50_000, (40, 7))
        pairs = times[rows][:, None], times[others]  # as the full build's pair scores call it
        np.testing.assert_allclose(f._closeness(*pairs), _closeness_as_written(s, *pairs),
                                   rtol=0, atol=1e-7)
