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


def test_the_rare_columns_index_holds_the_full_index_rows_of_those_columns(monkeypatch):
    # The first stage reads rare columns' postings only, from an index of those columns built
    # a slab of rows at a time: same rows, same order, so the products are bit for bit equal.
    import scipy.sparse as sp

    monkeypatch.setattr(build, "_SLAB", 7)
    x = sp.random(40, 30, density=0.3, format="csr", dtype=np.float32, random_state=5)
    rare = np.zeros(30, bool)
    rare[::3] = True
    inv = build._rare_inverted(x, rare)
    full = x.T.tocsr()
    assert inv.shape == full.shape
    for c in range(30):
        got = inv.indices[inv.indptr[c] : inv.indptr[c + 1]]
        want = full.indices[full.indptr[c] : full.indptr[c + 1]] if rare[c] else []
        np.testing.assert_array_equal(got, want)
    q = x[[3, 9, 17]]
    q.data[~rare[q.indices]] = 0
    q.eliminate_zeros()
    np.testing.assert_array_equal((q @ inv).toarray(), (q @ full).toarray())


def test_the_candidate_flags_make_the_decisions_the_scores_made():
    # The fit keeps three comparisons per candidate instead of its content and text scores;
    # they must be the very comparisons the floor and the duplicate rule make on the scores.
    engine = LexicalEngine(WITH_TOPICS)
    engine.fit(generated(n_stories=20, per_story=5))
    f, s = engine.features, engine.settings
    cand, first, flags = build.first_stage(f, engine.lists.__class__(s.stored))
    rows = np.arange(f.n_slots)
    _, content, text = f.pair_scores(rows, np.maximum(cand, 0))
    ok = cand >= 0
    np.testing.assert_array_equal(flags[ok], build.score_flags(s, content, text)[ok])
    assert (flags[~ok] == 0).all()
    final = first + 0.3
    before = engine._relevant(content >= s.floor, text >= s.evidence_text, final)
    before &= text <= s.duplicate
    after = engine._relevant((flags & build.CONTENT_OK) > 0, (flags & build.WORDING) > 0, final)
    after &= (flags & build.DUPLICATE) == 0
    np.testing.assert_array_equal(before[ok], after[ok])
    assert (flags[ok] & build.CONTENT_OK).any() and (flags[ok] & build.WORDING).any()


def test_a_snapshot_leaves_the_update_indexes_out_and_updates_the_same_after_loading():
    import pickle

    from masthead.recommendations.engines import Doc

    docs = generated(n_stories=20, per_story=5)
    engine = LexicalEngine(WITH_TOPICS)
    engine.fit(docs[:-3])
    assert engine.features.text.blocks[0]._inverted is None  # a fit does not build it
    cold = pickle.dumps(engine)
    copy = pickle.loads(cold)
    engine.warm()
    assert engine.features.text.blocks[0]._inverted is not None
    assert copy.features.text.blocks[0]._inverted is None
    assert len(engine.lists.truncated) > len(engine)  # room to grow: no copy in an upsert
    assert pickle.dumps(engine) == cold  # warmed or not: the same snapshot, without the room
    for d in docs[-3:]:  # the copy builds its indexes on first use
        assert copy.upsert(d) == engine.upsert(d)
    edited = Doc(key=docs[0].key, title=docs[0].title, body=docs[5].body,
                 section=docs[0].section, published_at=docs[0].published_at)
    assert copy.upsert(edited) == engine.upsert(edited)
    assert copy.remove(docs[1].key) == engine.remove(docs[1].key)
    for k in engine.keys():
        assert copy.related(k) == engine.related(k)


def test_forked_first_stage_is_the_one_process_first_stage(monkeypatch):
    # Groups of clusters searched in forked workers (core.forked): the same candidates,
    # scores, flags and near-duplicates, in the same order, as one process; and the same lists.
    monkeypatch.setattr(build, "_CLUSTER_SIZE", 20)
    monkeypatch.setattr(build, "_GROUP", 3)
    docs = generated(n_stories=40, per_story=5)
    docs += [dataclasses.replace(d, key=f"{d.key}-again") for d in docs[::7]]  # duplicates
    settings = dataclasses.replace(WITH_TOPICS, exact_candidates_max=0, probe_clusters=3)
    engine = LexicalEngine(settings)
    engine.fit(docs)
    f = engine.features
    one_lists, two_lists = (engine.lists.__class__(settings.stored) for _ in range(2))
    for lists in (one_lists, two_lists):
        lists.ensure(f.n_slots)
    one = build.first_stage(f, one_lists, processes=1)
    two = build.first_stage(f, two_lists, processes=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)
    assert one_lists.dups == two_lists.dups
    copies = {frozenset((engine.slot_of[d.key], engine.slot_of[f"{d.key}-again"]))
              for d in docs[:200:7]}
    assert {frozenset((a, b)) for a, bs in one_lists.dups.items() for b in bs} == copies
    forked_engine = LexicalEngine(settings)
    forked_engine.processes = 2
    forked_engine.fit(docs)

    def lists_of(e):
        return {d.key: [(r.key, r.score) for r in e.related(d.key, 8)] for d in docs}

    assert lists_of(forked_engine) == lists_of(engine)
