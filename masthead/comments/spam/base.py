"""The spam-filter engine interface, and the one definition of a verdict.

Every engine (the learned `SpamModel`, the `RulesFilter` used before any training) answers
`score(comment) -> 0..1` and carries its own `Thresholds`; `classify` turns a score into the
verdict the live comment form acts on:
- "spam"  score >= thresholds.spam — kept out of moderation's way, never shown;
- "hold"  thresholds.hold <= score < thresholds.spam — uncertain, waits for a moderator;
- "ham"   score < thresholds.hold — published (subject to the site's own moderation setting).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .text import CommentText

Verdict = Literal["spam", "hold", "ham"]
VERDICTS: tuple[Verdict, ...] = ("ham", "hold", "spam")  # in increasing order of suspicion


class SpamModelError(ValueError):
    """A stored model that cannot be used (corrupt, or written by another filter version)."""


@dataclass(frozen=True)
class Thresholds:
    """The two cut points on the score; `hold <= spam` always."""

    spam: float = 0.85
    hold: float = 0.5

    def __post_init__(self) -> None:
        if not (0.0 <= self.hold <= self.spam <= 1.0):
            raise ValueError(f"thresholds need 0 <= hold <= spam <= 1, got {self}")


def verdict(score: float, thresholds: Thresholds = Thresholds()) -> Verdict:
    """The verdict for a score. Monotonic: a higher score never gets a milder verdict."""
    score = float(score)
    if math.isnan(score):  # NaN can only come from a bug; holding is the safe side for readers
        return "hold"
    if score >= thresholds.spam:
        return "spam"
    if score >= thresholds.hold:
        return "hold"
    return "ham"


@dataclass(frozen=True)
class Classification:
    score: float
    verdict: Verdict


class SpamFilter:
    """Base class of spam-filter engines. Subclasses implement `score_many` and `thresholds`."""

    name = "base"
    thresholds: Thresholds = Thresholds()

    def score_many(self, comments: Sequence[CommentText]) -> list[float]:
        raise NotImplementedError

    def score(self, comment: CommentText) -> float:
        """Spam probability of one comment, 0..1."""
        return self.score_many([comment])[0]

    def classify(self, comment: CommentText) -> Classification:
        score = self.score(comment)
        return Classification(score=score, verdict=verdict(score, self.thresholds))

    def classify_many(self, comments: Iterable[CommentText]) -> list[Classification]:
        scores = self.score_many(list(comments))
        return [Classification(score=s, verdict=verdict(s, self.thresholds)) for s in scores]
