"""Training the learned filter: `train`, and `retrain` from a site's own decisions.

A logistic regression (scikit-learn, liblinear) over three blocks — word TF-IDF, character
TF-IDF and standardised hand features (see `features.py`). Logistic regression rather than
naive Bayes because its scores are usable probabilities for the two-threshold verdict and it
weighs the correlated hand cues without double-counting them; `bench/spam_quality.py` measures
it against a plain TF-IDF baseline. The result is a `SpamModel` (`scoring.py`), which scores
without scikit-learn; `reference_scores` is the scikit-learn route it is checked against.
Persistence is in `storage.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from . import tuning
from .base import Thresholds
from .features import HandScaler, RawFeatures, TfidfBlock
from .scoring import HAND_SCALE, SpamModel
from .text import CommentText, prepare

__all__ = ["DEFAULT_C", "SITE_WEIGHT", "SpamModel", "reference_scores", "retrain", "train"]

DEFAULT_C = 10.0
# A site's own moderation decisions count this many times a bundled/base example: they are
# the site's readers and the site's spammers, where the base corpus is someone else's.
SITE_WEIGHT = 3.0


def _design(raw: RawFeatures, words: TfidfBlock, chars: TfidfBlock, hand: HandScaler):
    return sp.hstack(
        [
            words.transform(raw.words),
            chars.transform(raw.chars),
            sp.csr_matrix(hand.transform(raw.hand) * HAND_SCALE),
        ],
        format="csr",
    )


def reference_scores(model: SpamModel, comments: Sequence[CommentText]) -> list[float]:
    """Scores by the scikit-learn/SciPy route training uses (what `SpamModel` scored with before
    issue 7): the yardstick the pure-Python scorer is tested against, not used to serve."""
    if not comments:
        return []
    raw = RawFeatures.of([prepare(c) for c in comments])
    words = TfidfBlock(np.asarray(model.words.columns), np.asarray(model.words.idf))
    chars = TfidfBlock(np.asarray(model.chars.columns), np.asarray(model.chars.idf))
    hand = HandScaler(np.asarray(model.hand.mean), np.asarray(model.hand.scale))
    z = words.transform(raw.words) @ np.asarray(model.coef_words)
    z = z + chars.transform(raw.chars) @ np.asarray(model.coef_chars)
    z = z + (hand.transform(raw.hand) * HAND_SCALE) @ np.asarray(model.coef_hand)
    z = np.clip(np.asarray(z).ravel() + model.intercept, -40.0, 40.0)
    return [float(s) for s in 1.0 / (1.0 + np.exp(-z))]


def _balanced(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weights scaled so spam and ham carry equal total weight, whatever a site's mix is."""
    out = w.astype(np.float64).copy()
    for label in (True, False):
        mask = y == label
        out[mask] *= w.sum() / (2.0 * w[mask].sum())
    return out


@dataclass
class _Featuriser:
    """The learned part of feature extraction, fitted once per training set (or fold)."""

    words: TfidfBlock
    chars: TfidfBlock
    hand: HandScaler

    @classmethod
    def fit(cls, raw: RawFeatures) -> _Featuriser:
        return cls(TfidfBlock.fit(raw.words), TfidfBlock.fit(raw.chars), HandScaler.fit(raw.hand))

    def design(self, raw: RawFeatures) -> sp.csr_matrix:
        return _design(raw, self.words, self.chars, self.hand)


def _regression(x, y: np.ndarray, w: np.ndarray, c: float) -> LogisticRegression:
    # Dual liblinear: far fewer examples than n-gram columns, where it is ~20x faster than primal.
    clf = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=5000)
    return clf.fit(x, y, sample_weight=_balanced(y, w))


def _fit(raw: RawFeatures, y: np.ndarray, w: np.ndarray, c: float) -> SpamModel:
    f = _Featuriser.fit(raw)
    clf = _regression(f.design(raw), y, w, c)
    coef = clf.coef_.ravel()
    nw, nc = len(f.words.columns), len(f.chars.columns)
    return SpamModel(
        words=f.words,
        chars=f.chars,
        hand=f.hand,
        coef_words=coef[:nw].copy(),
        coef_chars=coef[nw : nw + nc].copy(),
        coef_hand=coef[nw + nc :].copy(),
        intercept=float(clf.intercept_[0]),
    )


def _text_key(text: str) -> str:
    """Identity of a comment's text for grouping and overriding: case and spacing ignored."""
    return " ".join(text.lower().split())


def _group_key(comment: CommentText) -> str:
    return _text_key(prepare(comment).text)


def out_of_fold(
    raw, y, w, groups, cs=tuning.C_GRID, seed: int = 0, sources: list[str] | None = None
) -> dict[float, np.ndarray]:
    """Scores each example by models fitted without its fold, for every C in `cs`; with
    `sources`, the folds are whole sources (leave one source out)."""
    result = {c: np.zeros(len(y)) for c in cs}
    splits = tuning.source_folds(sources) if sources else tuning.folds(y, groups, seed=seed)
    for train_idx, test_idx in splits:
        # Features are fitted on the fold's training rows only, then shared by every C.
        part = raw.rows(train_idx)
        f = _Featuriser.fit(part)
        x_train, x_test = f.design(part), f.design(raw.rows(test_idx))
        for c in cs:
            clf = _regression(x_train, y[train_idx], w[train_idx], c)
            result[c][test_idx] = clf.predict_proba(x_test)[:, 1]
    return result


def train(
    examples: Iterable[tuple[CommentText, bool]],
    *,
    weights: Iterable[float] | None = None,
    tune: bool = True,
    sources: Sequence[str] | None = None,
    rule: tuning.OperatingRule | None = None,
    oof_out: dict | None = None,
) -> SpamModel:
    """Fit a model on (comment, is_spam) pairs; needs at least one of each.

    With `tune` and >= 10 examples of each class, C and the verdict thresholds are chosen by
    grouped 5-fold cross-validation on these examples (see `tuning.py`); otherwise defaults.
    `sources` (one name per example, e.g. the site or video it came from; three or more
    distinct) makes the folds whole sources, so the thresholds are chosen on comments from
    sources the fold's model never saw. `rule` says how the thresholds are read off the
    out-of-fold scores; `oof_out`, if given, receives those scores (`scores`, `y`, `w`) so a
    benchmark can compare rules without retraining.
    Takes a few seconds for a few thousand comments — run it off the request path.
    """
    pairs = [(c, bool(s)) for c, s in examples]
    y = np.array([s for _, s in pairs], dtype=bool)
    if not y.any() or y.all():
        raise ValueError("training needs at least one spam and one ham comment")
    w = np.ones(len(y)) if weights is None else np.asarray(list(weights), dtype=np.float64)
    if w.shape != y.shape or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weights must be one positive number per example")
    prepared = [prepare(c) for c, _ in pairs]
    raw = RawFeatures.of(prepared)
    c, thresholds, oof_figures = DEFAULT_C, Thresholds(), {}
    if tune and tuning.enough_to_tune(y):
        groups = [_text_key(p.text) for p in prepared]
        by_source = list(sources) if sources is not None and len(set(sources)) >= 3 else None
        oof = out_of_fold(raw, y, w, groups, sources=by_source)
        c = tuning.pick_c(oof, y, w)
        if oof_out is not None:
            oof_out.update(scores=oof[c], y=y, w=w)
        thresholds = tuning.choose_thresholds(oof[c], y, w, rule or tuning.OperatingRule())
        spam_rates = tuning.rates(oof[c], y, w, thresholds.spam)
        oof_figures = {
            "precision": round(spam_rates.precision, 4),
            "recall": round(spam_rates.recall, 4),
            "ham_fpr": round(spam_rates.fpr, 4),
        }
    model = _fit(raw, y, w, c)
    model.thresholds = thresholds
    model.info = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "examples": len(y),
        "spam": int(y.sum()),
        "ham": int((~y).sum()),
        "weight_total": round(float(w.sum()), 3),
        "C": c,
        "tuned": bool(oof_figures),
        "out_of_fold": oof_figures,
    }
    return model


def retrain(
    base_examples: Iterable[tuple[CommentText, bool]],
    site_decisions: Iterable[tuple[CommentText, bool]],
    *,
    site_weight: float = SITE_WEIGHT,
) -> SpamModel:
    """A model from base examples plus the site's own approve (False) / spam (True) decisions.

    Each site decision weighs `site_weight` base examples. Where a decision and a base example
    have the same text, the site's decision replaces the example; among repeated decisions on
    the same text the last one wins, so pass decisions oldest first.
    """
    decided: dict[str, tuple[CommentText, bool]] = {}
    for comment, is_spam in site_decisions:
        key = _group_key(comment)
        decided.pop(key, None)  # re-insert so dict order follows the latest decision
        decided[key] = (comment, bool(is_spam))
    base = [(c, bool(s)) for c, s in base_examples if _group_key(c) not in decided]
    examples = base + list(decided.values())
    weights = [1.0] * len(base) + [float(site_weight)] * len(decided)
    model = train(examples, weights=weights)
    model.info["site_decisions"] = len(decided)
    return model
