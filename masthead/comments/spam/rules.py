"""The rules-only filter: what a site uses before it has trained a model.

A fixed, hand-weighted logistic score over the hand features (`features.HAND_FEATURES`). The
weights were set by judgement about what moderators call spam — not fitted to the evaluation
data — and are deliberately timid: rules alone may "hold" a comment for a moderator but only call
it "spam" when several independent cues agree (a link AND self-promotion AND a call to action).
`bench/spam_quality.py` reports how it does on the YouTube corpus for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .base import SpamFilter, Thresholds
from .cues import HAND_FEATURES, hand_features
from .text import CommentText, prepare

# Log-odds contributions per unit of each hand feature; unnamed features count 0.
_WEIGHTS = {
    "has_link": 1.4,  # one link alone reaches "hold", as WordPress holds linky comments
    "links": 0.6,  # log1p(count): a second and third link add a little more
    "obfuscated_links": 1.5,  # nobody writes "you[tube]" or "dot com" by accident
    "self_promo": 1.6,
    "call_to_action": 1.6,
    "money": 1.0,
    "social": 0.5,
    "caps_ratio": 0.8,
    "max_run": 0.2,
    "author_link": 1.5,
    "url_field": 0.3,
    "invisible": 0.4,
}
_BIAS = -2.2
_INDEX = {name: i for i, name in enumerate(HAND_FEATURES)}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def rules_only_score(comment: CommentText) -> float:
    """Spam likelihood 0..1 from hand rules alone; never raises for any input."""
    values = hand_features(prepare(comment))
    z = _BIAS + sum(w * values[_INDEX[name]] for name, w in _WEIGHTS.items())
    return _sigmoid(z)


class RulesFilter(SpamFilter):
    """`rules_only_score` as an engine: "spam" takes about three cues, "hold" one or two.

    E.g. "subscribe to my channel" holds (z = 1.0); add a link and it is spam (z = 2.8).
    """

    name = "rules"
    thresholds = Thresholds(spam=0.85, hold=0.5)

    def score_many(self, comments: Sequence[CommentText]) -> list[float]:
        return [rules_only_score(c) for c in comments]
