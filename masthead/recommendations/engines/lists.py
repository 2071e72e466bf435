"""Each article's stored related list and the rules that turn it into what a page shows.

A stored list holds up to ``stored`` other slots, best first, each already past the relevance
floor and not a near-duplicate of the article itself. What a page shows (``visible``) is the
first ``n`` of them after dropping excluded keys and any entry that is a near-duplicate of an
entry already shown, so the list names distinct stories. ``truncated`` records that more
candidates cleared the floor than were stored, so a caller knows when a fresh query could
find more (after exclusions or removals).
"""

from __future__ import annotations

import numpy as np


class Lists:
    def __init__(self, stored: int) -> None:
        self.stored = stored
        self.slots = np.full((0, stored), -1, dtype=np.int32)
        # Column-major, so that the last column (the score to beat to enter a list) is one
        # contiguous array: an upsert reads it for every valid slot, and gathering it from
        # rows was 5.5 ms at 1M articles (1 ms from the column).
        self.scores = np.full((0, stored), -np.inf, dtype=np.float32, order="F")
        self.truncated = np.zeros(0, dtype=bool)
        self.dups: dict[int, set[int]] = {}  # slot -> slots whose text is a near-duplicate
        self.size = 0  # slots in use; the arrays may hold more rows, room to grow

    def __getstate__(self) -> dict:
        # A snapshot holds the rows in use, not the room an engine warmed for updates made.
        state = dict(self.__dict__)
        for name in ("slots", "scores", "truncated"):
            state[name] = state[name][: self.size]  # a view: pickled as its own rows
        # Column-major whether or not there was room (the rows of a longer column-major
        # array are not contiguous, and would pickle as a row-major copy).
        state["scores"] = np.asfortranarray(state["scores"])
        return state

    def __setstate__(self, state: dict) -> None:
        state.setdefault("size", len(state["truncated"]))  # pickled before the room existed
        state["scores"] = np.asfortranarray(state["scores"])  # pickled row-major before
        self.__dict__.update(state)

    def ensure(self, n_slots: int) -> None:
        """Room for slots ``0..n_slots-1``, which are now in use."""
        self.size = max(self.size, n_slots)
        self.reserve(0)

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` more slots than are in use (a quarter more at least, so that
        growing stays amortised: each time copies every list)."""
        have, n_slots = len(self.truncated), self.size + rows
        if n_slots <= have:
            return
        grow = max(n_slots - have, have // 4, 16)
        self.slots = np.vstack([self.slots, np.full((grow, self.stored), -1, np.int32)])
        scores = np.full((have + grow, self.stored), -np.inf, np.float32, order="F")
        scores[:have] = self.scores
        self.scores = scores
        self.truncated = np.concatenate([self.truncated, np.zeros(grow, bool)])

    # -- writing --------------------------------------------------------------------------------
    def set(self, slot: int, others: np.ndarray, scores: np.ndarray) -> None:
        """Store ``others`` (sorted best first, all valid) as ``slot``'s list."""
        k = min(len(others), self.stored)
        self.slots[slot] = -1
        self.scores[slot] = -np.inf
        self.slots[slot, :k] = others[:k]
        self.scores[slot, :k] = scores[:k]
        self.truncated[slot] = len(others) > self.stored

    def insert(self, slot: int, other: int, score: float) -> None:
        row_s, row_v = self.slots[slot], self.scores[slot]
        if row_v[-1] > -np.inf:
            self.truncated[slot] = True  # the entry pushed out is still a valid candidate
        pos = int(np.searchsorted(-row_v, -score, side="right"))
        if pos >= self.stored:
            return
        row_s[pos + 1 :] = row_s[pos:-1].copy()
        row_v[pos + 1 :] = row_v[pos:-1].copy()
        row_s[pos], row_v[pos] = other, score

    def delete(self, slot: int, other: int) -> None:
        row_s, row_v = self.slots[slot], self.scores[slot]
        keep = row_s != other
        k = int(keep.sum())
        row_s[:k], row_v[:k] = row_s[keep].copy(), row_v[keep].copy()
        row_s[k:], row_v[k:] = -1, -np.inf

    def clear(self, slot: int) -> None:
        self.slots[slot] = -1
        self.scores[slot] = -np.inf
        self.truncated[slot] = False
        for other in self.dups.pop(slot, ()):
            self.dups.get(other, set()).discard(slot)

    def add_dups(self, slot: int, others: np.ndarray) -> None:
        for other in others.tolist():
            self.dups.setdefault(slot, set()).add(other)
            self.dups.setdefault(other, set()).add(slot)

    # -- reading --------------------------------------------------------------------------------
    def holders(self, other: int) -> np.ndarray:
        """Slots whose stored list contains ``other``."""
        return np.flatnonzero((self.slots == other).any(axis=1))

    def to_enter(self, slots: np.ndarray) -> np.ndarray:
        """The score a newcomer must beat to enter each of these lists (-inf: room left)."""
        return self.scores[:, -1][slots]

    def count(self, slot: int) -> int:
        return int((self.slots[slot] >= 0).sum())

    def visible(self, slot: int, n: int, exclude=frozenset()) -> list[tuple[int, float]]:
        return pick(self.slots[slot], self.scores[slot], n, exclude, self.dups)


def pick(others, scores, n: int, exclude, dups: dict[int, set[int]]) -> list[tuple[int, float]]:
    """First ``n`` of a best-first list, skipping ``exclude`` and near-duplicates of picks."""
    chosen: list[tuple[int, float]] = []
    taken: set[int] = set()
    for other, score in zip(np.asarray(others).tolist(), np.asarray(scores).tolist()):
        if other < 0 or len(chosen) >= n:
            break
        if other in exclude or other in taken:
            continue
        chosen.append((other, score))
        taken.add(other)
        taken |= dups.get(other, set())  # its republished copies say nothing new
    return chosen
