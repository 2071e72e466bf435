"""One article ranked against every other (an upsert, a refresh, a fallback query): the
shortcuts that spare corpus-long passes give what the plain dense computation gives."""

from __future__ import annotations

import numpy as np
import pytest

from masthead.recommendations.engines import LexicalEngine, LexicalSettings
from masthead.recommendations.engines.lexical import _best, _profile_rows

from .test_engine_corpora import generated
from .test_engine_scoring import WITH_TOPICS

EVIDENCE = LexicalSettings(min_docs_for_topics=20, topic_dims=8, facts_weight=0.05,
                           conflict_weight=0.05, distance_weight=0.1)


def _top_values(scores: np.ndarray, k: int) -> np.ndarray:
    return np.sort(scores)[::-1][:k]


@pytest.mark.parametrize("seed", range(5))
def test_best_finds_the_k_highest_scores_of_a_long_array(seed):
    rng = np.random.default_rng(seed)
    scores = rng.random(60_000).astype(np.float32)
    scores[rng.random(60_000) < 0.3] = -np.inf  # removed articles and the article itself
    scores[rng.integers(0, 60_000, 50)] = np.float32(0.999)  # ties around the boundary
    for k in (1, 5, 20):
        got = _best(scores, k)
        assert len(set(got.tolist())) == k
        np.testing.assert_array_equal(np.sort(scores[got])[::-1], _top_values(scores, k))


def test_best_keeps_scores_equal_to_the_sampled_bound():
    scores = np.zeros(60_000, np.float32)
    scores[:20 * 64:64] = np.arange(1, 21)  # the 20 best all sit where the sample reads
    np.testing.assert_array_equal(np.sort(_best(scores, 20)), np.arange(0, 20 * 64, 64))


def test_best_falls_back_when_the_sample_holds_too_few_scores():
    scores = np.full(60_000, -np.inf, np.float32)
    scores[[7, 70, 700]] = [0.1, 0.3, 0.2]  # fewer finite scores than asked for
    got = _best(scores, 5)
    assert {7, 70, 700} <= set(got.tolist())


def _profile_row_as_written(first: np.ndarray, k: int):
    """The k best finite scores, clipped at 0, as a unit vector over slots in slot order."""
    top = np.argsort(-first, kind="stable")[: min(k, int(np.isfinite(first).sum()))]
    top = np.sort(top)
    vals = np.clip(first[top], 0, None)
    return top, vals / (np.linalg.norm(vals) or 1.0)


@pytest.mark.parametrize("n", [3, 30, 40_000])
def test_profile_rows_of_several_sizes_from_one_partition(n):
    rng = np.random.default_rng(n)
    first = (rng.random(n) - 0.2).astype(np.float32)  # some below zero: clipped
    first[rng.random(n) < 0.2] = -np.inf
    for (cols, vals), k in zip(_profile_rows(first, [5, 20]), (5, 20)):
        want_cols, want_vals = _profile_row_as_written(first, k)
        np.testing.assert_array_equal(cols, want_cols)
        np.testing.assert_allclose(vals, want_vals, rtol=1e-6)


def _rank_dense(engine: LexicalEngine, slot: int):
    """Every slot's final score and validity, computed over the whole corpus as written."""
    s = engine.settings
    first, content, text = engine.features.scores_for(slot)
    live = engine.alive[: len(first)].copy()
    live[slot] = False
    first = np.where(live, first, -np.inf)
    final = first.copy()
    for store, profile, (_, weight) in zip(engine.profiles, engine._profile_rows(slot),
                                           engine._hoods()):
        final += weight * store.dot(*profile, len(first))
    valid = (content >= s.floor) | ((text >= s.evidence_text) & (final >= s.evidence_floor))
    valid &= live & (text <= s.duplicate)
    return final, valid


@pytest.mark.parametrize("settings", [WITH_TOPICS, EVIDENCE], ids=["default", "evidence"])
def test_ranking_over_candidates_equals_the_dense_computation(settings):
    docs = generated()
    engine = LexicalEngine(settings)
    engine.fit(docs[:-6])
    for d in docs[-6:]:
        engine.upsert(d)  # some slots appended after the fit, in pending rows
    engine.remove(docs[3].key)  # a dead slot is nobody's candidate
    for slot in range(0, len(docs), 4):
        if not engine.alive[slot]:
            continue
        slots, scores, _, _ = engine._rank(slot, engine._profile_rows(slot))
        final, valid = _rank_dense(engine, slot)
        assert valid.any()
        np.testing.assert_array_equal(slots, np.flatnonzero(valid))
        np.testing.assert_array_equal(scores, final[valid])
