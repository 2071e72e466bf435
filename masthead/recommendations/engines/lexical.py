"""The default related-articles engine: tf-idf over words and word pairs, re-ranked by shared
neighbours, with a relevance floor, near-duplicate removal and incremental updates.

Two stages (measurements and the cross-validation behind every default: docs/recommendations.md):

1. ``first`` score per pair (``features.py``): text cosine of sublinear tf-idf rows over words
   and word pairs (headline counted on top of the body, the lead of the body weighted up to
   4x, each article pruned to its 300 strongest terms) + section/tag/author bonus + a small
   LSA topic cosine + a recency tie-break. The full build finds candidates through rare terms
   and topics (``build.py``).
2. Shared-neighbour re-ranking: each article has two profiles, its 5 and its 20 best
   first-stage neighbours (weighted by score); ``final = first + 0.5 * cosine(5-profiles) +
   0.5 * cosine(20-profiles)``. Articles about the same event point at the same few neighbours
   (this is what separates the confusable twin stories of ECB+); articles of the same field
   share many of their wider neighbourhood (same-section precision).

Relevance floor: a candidate is kept when its content score (text + metadata) clears ``floor``
or, once the corpus is large enough to have a topic space, when some wording is shared (text
cosine >= ``evidence_text``) and its final score clears ``evidence_floor``: weak wording overlap
corroborated by the topic space and by shared neighbours. Never on topics or neighbours alone
(in a handful of articles everyone's neighbourhoods overlap, whatever they are about).

Incremental updates keep the vocabulary, idf and topic space of the last fit; a new article is
scored against every stored one through inverted indexes (cost: its terms' posting lists),
which gives its own list and, by symmetry, the lists it enters. ``needs_refit()`` turns True
once ``refit_after`` of the corpus has changed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from .base import DEFAULT_N, Doc, Related, RelatedEngine
from .build import CONTENT_OK, DUPLICATE, WORDING, first_stage
from .explain import explain_all
from .features import Features, LexicalSettings
from .lists import Lists, pick
from .store import SparseRows
from .topics import one_blas_thread


class LexicalEngine(RelatedEngine):
    name = "lexical"

    def __init__(self, settings: LexicalSettings | None = None) -> None:
        self.settings = settings or LexicalSettings()
        self.fit([])

    # -- full build -------------------------------------------------------------------------------
    def fit(self, docs: Iterable[Doc]) -> None:
        """Build from ``docs``, read once: pass a database cursor rather than a list at 100k."""
        s = self.settings
        self.features = Features(s)
        with one_blas_thread():
            self._keys = self.features.fit(docs, self.processes)
        self.slot_of = {k: i for i, k in enumerate(self._keys)}
        if len(self.slot_of) != len(self._keys):
            self.fit([])
            raise ValueError("duplicate article keys")
        n = len(self._keys)
        self.alive = np.ones(n, bool)
        self.lists = Lists(s.stored)
        self.lists.ensure(n)
        self.changes = 0
        self.fitted = n
        cand, first, flags = first_stage(self.features, self.lists, self.processes)
        # Both profiles come from the first-stage scores; then ``first`` becomes the final
        # score in place, and the floor and the ordering go a block of rows at a time (at 1M
        # articles each n x 50 array is 200 MB: no copies of them, issue 20).
        hoods = self._hoods()
        profiles = [_profiles(cand, first, k, n) for k, _ in hoods]
        self.profiles = [SparseRows(p) for p in profiles]
        final = first
        for p, (_, weight) in zip(profiles, hoods):
            _gather(p, cand, s.block * 32, final, weight)
        del profiles
        for lo in range(0, n, s.block * 32):
            sl = slice(lo, min(lo + s.block * 32, n))
            f_, c_, b_ = final[sl], cand[sl], flags[sl]
            valid = self._relevant((b_ & CONTENT_OK) > 0, (b_ & WORDING) > 0, f_)
            valid &= (b_ & DUPLICATE) == 0
            f_ = np.where(valid & (c_ >= 0), f_, -np.inf)
            order = np.argsort(-f_, axis=1, kind="stable")
            for i in range(sl.stop - lo):
                o = order[i][np.isfinite(f_[i, order[i]])]
                self.lists.set(lo + i, c_[i, o], f_[i, o])

    def _hoods(self) -> list[tuple[int, float]]:
        """(profile size, weight) of each shared-neighbour profile in use."""
        s = self.settings
        hoods = [(s.neighbours, s.neighbour_weight), (s.wide_neighbours, s.wide_neighbour_weight)]
        return [(k, w) for k, w in hoods if k > 0 and w]

    def _relevant(self, content_ok: np.ndarray, wording: np.ndarray,
                  final: np.ndarray) -> np.ndarray:
        """The relevance floor (module docstring): content alone (``content_ok``: content >=
        floor), or corroborated evidence (``wording``: text >= evidence_text)."""
        s = self.settings
        ok = content_ok.copy()
        if self.features.topic.dim:
            ok |= wording & (final >= s.evidence_floor)
        return ok

    def _profile_rows(self, slot: int) -> list[tuple[np.ndarray, np.ndarray]]:
        return [p.row(slot) for p in self.profiles]

    # -- one article against all ------------------------------------------------------------------
    def _rank(self, slot: int, profiles: list[tuple[np.ndarray, np.ndarray]] | None = None):
        """``slot`` against every slot: its valid slots (ascending) with their final scores,
        its profile rows and its near-duplicates.

        Only the profiles need a score for every slot (the best first-stage scores anywhere);
        a valid slot shares wording or metadata (content >= floor, or text >= evidence_text),
        so the final score, the floor and the caller's comparisons run over those slots alone:
        at 1M articles a dozen passes over corpus-long arrays were a third of an upsert."""
        s = self.settings
        first, content, text = self.features.scores_for(slot)
        n = len(first)
        live = self.alive[:n]
        first = np.where(live, first, -np.inf)
        first[slot] = -np.inf
        if profiles is None:
            profiles = _profile_rows(first, [k for k, _ in self._hoods()])
        cand = np.flatnonzero((content >= s.floor) | (text >= s.evidence_text))
        cand = cand[live[cand] & (text[cand] <= s.duplicate) & (cand != slot)]
        final = first[cand]
        for store, profile, (_, weight) in zip(self.profiles, profiles, self._hoods()):
            final += weight * store.dot(*profile, n)[cand]
        valid = self._relevant(content[cand] >= s.floor, text[cand] >= s.evidence_text, final)
        dups = np.flatnonzero(text > s.duplicate)
        dups = dups[live[dups] & (dups != slot)]
        return cand[valid], final[valid], profiles, dups

    def _ordered(self, slots: np.ndarray, scores: np.ndarray, limit: int = 0):
        """Valid slots best first: at most ``limit`` (default: stored + 1, which is enough for
        ``Lists.set`` to see truncation) so a corpus-wide argsort is never needed."""
        limit = limit or self.settings.stored + 1
        if len(slots) > limit:
            top = _best(scores, limit)
            slots, scores = slots[top], scores[top]
        o = np.argsort(-scores, kind="stable")
        return slots[o], scores[o]

    def _refresh(self, slot: int) -> None:
        slots, scores, _, _ = self._rank(slot, self._profile_rows(slot))
        self.lists.set(slot, *self._ordered(slots, scores))

    # -- incremental ------------------------------------------------------------------------------
    def warm(self) -> None:
        """Build the inverted indexes updates read (a full build and its snapshot leave them
        out: store.py), so the first upsert does not pay for them (~1 s per 100k articles)."""
        f = self.features
        for rows in (f.text, f.meta, f.facts, f.units, f.figures, *self.profiles):
            rows.warm()
        # Room to grow, so that no early upsert copies the fitted arrays (a fit leaves none:
        # at 1M the first upsert copied 96 MB of lists and 128 MB of topic vectors).
        self.lists.reserve(1)
        f.topic.reserve(1)

    def upsert(self, doc: Doc) -> set[str]:
        with one_blas_thread():
            return self._upsert(doc)

    def _upsert(self, doc: Doc) -> set[str]:
        before: dict[int, tuple[str, ...]] = {}
        if doc.key in self.slot_of:
            self._drop(self.slot_of[doc.key], before)
        f = self.features
        slot = f.add(doc)
        self._keys.append(doc.key)
        self.slot_of[doc.key] = slot
        self.alive = np.append(self.alive, True)
        self.lists.ensure(slot + 1)
        slots, scores, profiles, dups = self._rank(slot)
        for store, profile in zip(self.profiles, profiles):
            store.append(*profile)
        self.lists.add_dups(slot, dups)
        self.lists.set(slot, *self._ordered(slots, scores))
        # Scores are symmetric, so the new article's score in j's list is its score for j.
        entering = scores > self.lists.to_enter(slots)
        for j, score in zip(slots[entering].tolist(), scores[entering].tolist()):
            before.setdefault(j, self._visible_keys(j))
            self.lists.insert(j, slot, score)
        self.changes += 1
        return self._changed(before, exclude=slot)

    def remove(self, key: str) -> set[str]:
        if key not in self.slot_of:
            return set()
        before: dict[int, tuple[str, ...]] = {}
        with one_blas_thread():
            self._drop(self.slot_of[key], before)
        self.changes += 1
        return self._changed(before)

    def _drop(self, slot: int, before: dict[int, tuple[str, ...]]) -> None:
        holders = self.lists.holders(slot).tolist()
        for j in holders:
            before.setdefault(j, self._visible_keys(j))
        self.alive[slot] = False
        del self.slot_of[self._keys[slot]]
        self.features.forget(slot)
        self.lists.clear(slot)
        for j in holders:
            self.lists.delete(j, slot)
            if self.lists.truncated[j] and self.lists.count(j) < DEFAULT_N + 4:
                self._refresh(j)  # keep enough stored entries to survive exclusions

    def _visible_keys(self, slot: int) -> tuple[str, ...]:
        return tuple(self._keys[o] for o, _ in self.lists.visible(slot, DEFAULT_N))

    def _changed(self, before: dict[int, tuple[str, ...]], exclude: int = -1) -> set[str]:
        return {
            self._keys[j]
            for j, was in before.items()
            if j != exclude and self.alive[j] and self._visible_keys(j) != was
        }

    # -- reading ----------------------------------------------------------------------------------
    def related(self, key: str, n: int = DEFAULT_N, exclude: Iterable[str] = ()) -> list[Related]:
        slot = self.slot_of[key]
        skip = {self.slot_of[k] for k in exclude if k in self.slot_of}
        chosen = self.lists.visible(slot, n, skip)
        if len(chosen) < n and self.lists.truncated[slot]:
            # Exclusions or removals used up the stored entries: one fresh O(corpus) query.
            with one_blas_thread():
                slots, scores, _, _ = self._rank(slot, self._profile_rows(slot))
            limit = self.settings.stored + len(skip) + 4 * n
            chosen = pick(*self._ordered(slots, scores, limit), n, skip, self.lists.dups)
        why = explain_all(self.features, slot, [o for o, _ in chosen])
        return [Related(self._keys[o], round(float(sc), 4), reason)
                for (o, sc), reason in zip(chosen, why)]

    def keys(self) -> list[str]:
        return list(self.slot_of)

    def __contains__(self, key: object) -> bool:
        return key in self.slot_of

    def __len__(self) -> int:
        return len(self.slot_of)

    def needs_refit(self) -> bool:
        return self.changes > self.settings.refit_after * max(self.fitted, 50)


def _profile_row(first: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """An article's ``k`` best first-stage neighbours as a unit vector over slots."""
    return _profile_rows(first, [k])[0]


def _profile_rows(first: np.ndarray, ks: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``_profile_row`` for each size in ``ks``, from one partition of ``first`` (at 1M
    articles each partition was 4.5 ms of an upsert)."""
    widest = min(max(ks, default=0), len(first))
    if widest <= 0:
        return [(np.zeros(0, np.int64), np.zeros(0, np.float32)) for _ in ks]
    best = _best(first, widest)
    best = best[np.isfinite(first[best])]
    rows = []
    for k in ks:
        top = best if k >= len(best) else best[np.argpartition(-first[best], k - 1)[:k]]
        vals = np.clip(first[top], 0, None)
        norm = float(np.linalg.norm(vals)) or 1.0
        order = np.argsort(top)
        rows.append((top[order].astype(np.int64), (vals[order] / norm).astype(np.float32)))
    return rows


def _best(scores: np.ndarray, k: int, stride: int = 64) -> np.ndarray:
    """Positions of the ``k`` highest ``scores`` (any order; 0 < k <= len(scores)).

    Over a corpus-long array, a partition of every score was 4.5 ms at 1M articles. The k-th
    highest of every ``stride``-th score is a lower bound of the k-th highest of all, so the
    partition runs over the scores that reach it (about ``k x stride``) and finds the same set.
    """
    if len(scores) >= 8 * k * stride:
        sample = scores[::stride]
        bound = sample[np.argpartition(-sample, k - 1)[k - 1]]
        if np.isfinite(bound):
            near = np.flatnonzero(scores >= bound)
            return near[np.argpartition(-scores[near], k - 1)[:k]]
    return np.argpartition(-scores, k - 1)[:k]


def _profiles(cand: np.ndarray, first: np.ndarray, k: int, n: int) -> sp.csr_matrix:
    """Every article's profile row (``_profile_row`` of its candidates) as one CSR matrix.

    Rows are written into arrays allocated once: a list of two small arrays per article, then
    concatenated, was ~0.3 KB an article of objects plus a second copy (issue 20)."""
    k = min(k, cand.shape[1]) if n else 0
    indptr = np.zeros(n + 1, np.int64)
    idx = np.empty(n * k, np.int32)
    val = np.empty(n * k, np.float32)
    at = 0
    for i in range(n):
        c, v = _profile_row(np.where(cand[i] >= 0, first[i], -np.inf), k)
        idx[at : at + len(c)] = cand[i][c]
        val[at : at + len(c)] = v
        at += len(c)
        indptr[i + 1] = at
    if at < len(idx):  # some articles had fewer than k candidates: do not keep the slack
        idx, val = idx[:at].copy(), val[:at].copy()
    m = sp.csr_matrix((val, idx, indptr), shape=(n, n))
    m.sort_indices()
    return m


def _gather(p: sp.csr_matrix, cand: np.ndarray, block: int, out: np.ndarray,
            weight: float) -> None:
    """``out[i, k] += weight * (p @ p.T)[i, cand[i, k]]`` for every i, k, a block of rows at a
    time.

    Never forms all of ``p @ p.T``: with 20-neighbour profiles that product holds about 400
    entries a row (40M at 100k articles, several hundred MB with its sort keys).
    """
    pt = p.T.tocsr()
    for lo in range(0, p.shape[0], block):
        m = (p[lo : lo + block] @ pt).tocsr()
        m.sort_indices()
        if not m.nnz:
            continue
        rows, width = m.shape
        keys = np.repeat(np.arange(rows, dtype=np.int64), np.diff(m.indptr)) * width + m.indices
        want = np.arange(rows, dtype=np.int64)[:, None] * width + np.maximum(cand[lo:lo + rows], 0)
        pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        out[lo : lo + rows] += weight * np.where(keys[pos] == want, m.data[pos], 0)
