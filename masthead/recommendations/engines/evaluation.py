"""Offline measures of related-article lists against labelled articles, and two baselines.

Used by ``bench/related_quality.py`` and the engine tests. A "lists" mapping is article key →
recommended keys, best first (possibly fewer than ``k``: a missing slot counts as a miss, so a
relevance floor is never rewarded for saying nothing).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

Lists = Mapping[str, Sequence[str]]


def precision_at_k(
    lists: Lists, keys: Iterable[str], relevant: Callable[[str, str], bool], k: int = 4
) -> float:
    """Share of the ``k`` slots of each article in ``keys`` that hold a relevant article."""
    keys = list(keys)
    if not keys:
        return math.nan
    hits = sum(sum(relevant(a, b) for b in lists.get(a, ())[:k]) for a in keys)
    return hits / (k * len(keys))


def shown_precision(
    lists: Lists, keys: Iterable[str], relevant: Callable[[str, str], bool], k: int = 4
) -> float:
    """Share of the recommendations actually shown (at most ``k`` each) that are relevant."""
    shown = hits = 0
    for a in keys:
        items = lists.get(a, ())[:k]
        shown += len(items)
        hits += sum(relevant(a, b) for b in items)
    return hits / shown if shown else math.nan


def ndcg_at_k(
    lists: Lists,
    keys: Iterable[str],
    relevant: Callable[[str, str], bool],
    n_relevant: Callable[[str], int],
    k: int = 4,
) -> float:
    """Mean binary nDCG@k; the ideal list holds min(k, relevant articles available) hits."""
    scores = []
    for a in keys:
        ideal = sum(1 / math.log2(i + 2) for i in range(min(k, n_relevant(a))))
        if not ideal:
            continue
        dcg = sum(
            1 / math.log2(i + 2) for i, b in enumerate(lists.get(a, ())[:k]) if relevant(a, b)
        )
        scores.append(dcg / ideal)
    return sum(scores) / len(scores) if scores else math.nan


def coverage(lists: Lists, keys: Sequence[str], k: int = 4) -> dict[str, float]:
    """Share of articles recommended somewhere; share with a full list; share below the floor."""
    appear = {b for a in keys for b in lists.get(a, ())[:k]}
    full = sum(len(lists.get(a, ())) >= k for a in keys)
    return {
        "recommended_somewhere": len(appear & set(keys)) / len(keys),
        "full_list": full / len(keys),
        "below_floor": 1 - full / len(keys),
    }


def latest_in_section(
    keys: Sequence[str],
    section: Mapping[str, str],
    published: Mapping[str, datetime | None],
    k: int = 4,
    seed: int = 0,
) -> dict[str, list[str]]:
    """The page's fallback: the ``k`` newest other articles of the same section.

    Undated articles sort after dated ones, in a seeded random order (they have no "latest").
    """
    rng = random.Random(seed)
    jitter = {key: rng.random() for key in keys}
    groups: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        groups[section.get(key, "")].append(key)
    out = {}
    for members in groups.values():
        members.sort(
            key=lambda m: (
                published.get(m) is None,
                -(published[m].timestamp() if published.get(m) else 0),
                jitter[m],
            )
        )
        for key in members:
            out[key] = [m for m in members if m != key][:k]
    return out


def random_lists(keys: Sequence[str], k: int = 4, seed: int = 0) -> dict[str, list[str]]:
    rng = random.Random(seed)
    out = {}
    for key in keys:
        picks: list[str] = []
        while len(picks) < k:
            other = keys[rng.randrange(len(keys))]
            if other != key and other not in picks:
                picks.append(other)
        out[key] = picks
    return out
