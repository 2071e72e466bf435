"""The full build's large-archive mechanisms (issue 20), proved at small sizes: the clustered
candidate search keeps the exact search's lists, and rows spilled to disk come back intact."""

from __future__ import annotations

import dataclasses

import numpy as np

from masthead.recommendations.engines import LexicalEngine, LexicalSettings, build
from masthead.recommendations.engines.spill import RowSpill, assemble

from .test_engine_corpora import generated

WITH_TOPICS = LexicalSettings(min_docs_for_topics=20, topic_dims=8)


def shown(settings: LexicalSettings, docs) -> dict[str, list[str]]:
    engine = LexicalEngine(settings)
    engine.fit(docs)
    return {k: [r.key for r in engine.related(k, 4)] for k in engine.keys()}


def test_clustered_candidates_keep_the_exact_search_lists(monkeypatch):
    monkeypatch.setattr(build, "_CLUSTER_SIZE", 20)  # 10 clusters of the 200 articles
    docs = generated(n_stories=40, per_story=5)
    exact = shown(dataclasses.replace(WITH_TOPICS, exact_candidates_max=10**9), docs)
    clustered = shown(dataclasses.replace(WITH_TOPICS, exact_candidates_max=0,
                                          probe_clusters=3), docs)
    entries = sum(len(v) for v in exact.values())
    kept = sum(len(set(v) & set(clustered[k])) for k, v in exact.items())
    assert entries > 3 * len(exact)
    assert kept / entries >= 0.95
    story = {d.key: d.key.split("-")[0] for d in docs}
    assert all(story[v[0]] == story[k] for k, v in clustered.items() if v)


def test_a_row_pulled_in_only_by_rare_terms_outside_the_probed_clusters_is_a_candidate(
        monkeypatch):
    # One probed cluster (its own, a tenth of the corpus) only: stories spread over clusters
    # still find each other through their rare story words.
    monkeypatch.setattr(build, "_CLUSTER_SIZE", 20)
    docs = generated(n_stories=40, per_story=5)
    clustered = shown(dataclasses.replace(WITH_TOPICS, exact_candidates_max=0,
                                          probe_clusters=1), docs)
    story = {d.key: d.key.split("-")[0] for d in docs}
    same = [story[r] == story[k] for k, v in clustered.items() for r in v]
    assert len(same) >= 3 * len(clustered) and sum(same) / len(same) >= 0.95


def test_spilled_rows_come_back_in_order_across_chunks(monkeypatch):
    from masthead.recommendations.engines import spill

    monkeypatch.setattr(spill, "CHUNK", 7)
    rng = np.random.default_rng(3)
    rows = [(np.sort(rng.choice(50, rng.integers(0, 6), replace=False)).astype(np.int32),
             rng.random(6).astype(np.float32)) for _ in range(30)]
    rows = [(c, v[: len(c)]) for c, v in rows]
    store = RowSpill()
    for i, (c, v) in enumerate(rows):
        store.append(c, v, float(i))
    back = list(store.rows())
    assert [e for _, _, e in back] == [float(i) for i in range(30)]
    assert all(np.array_equal(c, c2) and np.array_equal(v, v2)
               for (c, v), (c2, v2, _) in zip(rows, back))
    m = assemble(iter(rows), 50)
    assert m.shape == (30, 50)
    dense = np.zeros((30, 50), np.float32)
    for i, (c, v) in enumerate(rows):
        dense[i, c] = v
    np.testing.assert_array_equal(m.toarray(), dense)
