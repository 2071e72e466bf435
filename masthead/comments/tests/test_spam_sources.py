"""Source-grouped choice of the operating point (issue 19): folds that hold out whole sources,
and the rule that reads the two thresholds off out-of-fold scores."""

from __future__ import annotations

import numpy as np

from masthead.comments.spam import train
from masthead.comments.spam.tuning import OperatingRule, choose_thresholds, source_folds

from .test_spam_filter import HAND_MADE


def test_source_folds_hold_out_one_whole_source_each():
    sources = ["a", "b", "c", "a", "b", "c", "a"]
    folds = source_folds(sources)
    assert len(folds) == 3
    for train_idx, test_idx in folds:
        held = {sources[i] for i in test_idx}
        assert len(held) == 1
        assert not held & {sources[i] for i in train_idx}
        assert len(train_idx) + len(test_idx) == len(sources)


def test_training_with_sources_scores_every_example_out_of_fold():
    sources = [("one", "two", "three")[i % 3] for i in range(len(HAND_MADE))]
    oof: dict = {}
    model = train(HAND_MADE, sources=sources, oof_out=oof)
    assert model.info["tuned"]
    assert len(oof["scores"]) == len(HAND_MADE)
    assert np.all((oof["scores"] > 0) & (oof["scores"] < 1))
    assert 0.1 <= model.thresholds.hold <= model.thresholds.spam <= 0.99


def test_fewer_than_three_sources_fall_back_to_text_folds():
    oof_two: dict = {}
    oof_none: dict = {}
    train(HAND_MADE, sources=["x", "y"] * (len(HAND_MADE) // 2), oof_out=oof_two)
    train(HAND_MADE, oof_out=oof_none)
    # (liblinear shuffles with an unseeded generator: equal to within its tolerance)
    assert np.allclose(oof_two["scores"], oof_none["scores"], atol=1e-3)


def _scores():
    rng = np.random.default_rng(0)
    y = np.array([True] * 200 + [False] * 200)
    s = np.where(y, rng.beta(5, 1.5, 400), rng.beta(1.5, 6, 400))
    return s, y, np.ones(400)


def test_the_hold_threshold_never_falls_below_the_rules_floor():
    s, y, w = _scores()
    loose = OperatingRule(recall=1.01, hold_ham=1.0)  # unreachable: only the floor stops it
    assert choose_thresholds(s, y, w, loose).hold == 0.10
    assert choose_thresholds(s, y, w, OperatingRule(recall=1.01, hold_ham=1.0,
                                                    hold_floor=0.05)).hold == 0.05


def test_the_default_rule_is_the_documented_one():
    s, y, w = _scores()
    t = choose_thresholds(s, y, w)
    assert t == choose_thresholds(s, y, w, OperatingRule(precision=0.985, spam_fpr=0.01,
                                                         recall=0.97, hold_ham=0.06))
    spam = s >= t.spam
    assert (spam & y).sum() / spam.sum() >= 0.985
