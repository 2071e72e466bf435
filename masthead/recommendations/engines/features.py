"""Per-article features of the lexical engine and the first-stage pair score between articles.

For articles *i* and *j* (all parts are dot products, so one article can be scored against the
whole corpus in one pass and a block of articles against it in one sparse product):

    content(i, j) = text cosine + section/tag/author bonus
    first(i, j)   = content + topic_weight * topic cosine + recency_weight * time closeness

(The engine adds shared-neighbour scores on top; a pair is relevant when its content clears
``floor`` or its final score clears ``evidence_floor``: see lexical.py.)

``LexicalSettings`` gathers every knob; the defaults are the cross-validated choice recorded in
docs/recommendations.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp

from .base import Doc
from .facts import FactIndex, conflict_rows, extract_with_units
from .spill import RowSpill, assemble
from .store import DenseRows, SparseRows
from .text import TextSettings, Vectoriser, rows_to_csr
from .topics import TopicSpace


@dataclass(frozen=True)
class LexicalSettings:
    text: TextSettings = field(default_factory=TextSettings)
    topic_dims: int = 32  # LSA dimensions (0 = off); CV chose 32 over 64 on both halves
    topic_weight: float = 0.4
    min_docs_for_topics: int = 200  # fewer articles than this cannot teach topics
    neighbours: int = 5  # shared-neighbour profile size (second stage): the story level
    # 0.5 and 0.5: with the lead weighted (text.py), the best of the cross-validation grid on
    # both halves together, and the one with the widest margin to every target on each half.
    neighbour_weight: float = 0.5
    # A second, wider profile (20 neighbours): the field an article belongs to. Same-section
    # precision +0.3 to +1.2 points on both cross-validation halves, same story within noise.
    wide_neighbours: int = 20
    wide_neighbour_weight: float = 0.5
    candidates: int = 50  # first-stage candidates per article kept for the second stage
    rare_df: int = 200  # full build: candidates come from terms in <= max(this, n/1000) articles
    stored: int = 12  # list entries kept per article (serves n <= 8 plus exclusions)
    floor: float = 0.05  # content score that alone makes a candidate relevant
    # ... or some shared wording (text cosine >= evidence_text) with a final score (text +
    # topics + shared neighbours) this high: corroborated evidence. Picks admitted this way are
    # in the right section 88 % of the time with the current defaults (those at content
    # 0.05-0.07: 92 %; random pairs: 14 %; docs/recommendations.md).
    evidence_text: float = 0.02
    evidence_floor: float = 0.4
    duplicate: float = 0.9  # text cosine above which two articles are the same story republished
    section_weight: float = 0.02
    # Same section, added to the first score only (ranking and neighbour profiles), not to the
    # content score the floor reads: a section alone never makes an unrelated article relevant.
    # 0.02 (issue 19, bench/related_protocol.py with sections as imported): same-section P@4
    # +1.4 points on selection and confirmation splits; 0.05 and 0.1 gain more there but cost
    # same-story precision (-0.7 and -2.6 points) where one story is filed in several sections.
    section_rank_weight: float = 0.02
    tag_weight: float = 0.06
    author_weight: float = 0.01
    recency_weight: float = 0.01  # a tie-breaker: small against typical scores of 0.1-0.5
    recency_days: float = 30.0
    # Facts (facts.py: figures with units, dates in the text, names): + facts_weight x cosine
    # of the articles' idf-weighted fact sets. 0 turns it off. (issue 19, bench/related_protocol.py)
    facts_weight: float = 0.0
    # Publication-time distance: - distance_weight x min(1, (days apart - grace) / span) for
    # articles both dated; stories that run for months lose nothing within the grace period.
    distance_weight: float = 0.0
    # Figures that disagree (facts.conflict_rows): - conflict_weight x max(0, conflict).
    conflict_weight: float = 0.0
    conflict_dates: bool = True  # years and dates in the text count as figures that can clash
    # Figures that disagree are read from the headline and the first this-many words of the
    # body only (0 = the whole text): the lead states the event's own toll, magnitude and
    # date; later paragraphs bring background figures that twins and siblings share alike.
    conflict_lead_words: int = 0
    distance_grace_days: float = 120.0
    distance_span_days: float = 365.0
    refit_after: float = 0.2  # share of the corpus changed since the fit that calls for a refit
    block: int = 128  # rows per block in the full build (memory: ~12 bytes x block x corpus)
    # Above this many articles the full build finds topic candidates among the members of the
    # ``probe_clusters`` k-means clusters nearest each article's own, not the whole corpus
    # (build.py: the exact search grows with the square of the archive; issue 20).
    exact_candidates_max: int = 50_000
    probe_clusters: int = 12


def _days(when: datetime | None) -> float:
    if when is None:
        return math.nan
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() / 86400.0


class Features:
    """Rows per slot (text, topics, tags/authors, section, time) and the pair scores above."""

    def __init__(self, settings: LexicalSettings) -> None:
        self.settings = settings
        self.vectoriser = Vectoriser(settings.text)
        self.topics = TopicSpace(settings.topic_dims)
        self.text = SparseRows()
        self.fact_index = FactIndex()
        self.facts = SparseRows()
        self.units = SparseRows()
        self.figures = SparseRows()
        self.topic = DenseRows(np.zeros((0, 0), np.float32))
        self.meta = SparseRows()
        self.meta_col: dict[str, int] = {}
        self.section_id: dict[str, int] = {}
        self.sections = np.zeros(0, np.int32)
        self.times = np.zeros(0, np.float64)
        self.docs_meta: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        self._interned: dict = {}

    # -- building -----------------------------------------------------------------------------
    def fit(self, docs: Iterable[Doc], processes: int = 1) -> list[str]:
        """Build from ``docs`` read once (a database cursor will do); return their keys.
        ``processes``: forked workers the tokenising may share (results are the same)."""
        s = self.settings
        keys: list[str] = []
        # Tags and authors on disk until the fit ends; sections and times as they come
        # (an object per article for each was ~0.5 KB an article at 1M; issue 20).
        meta_rows, sections, times, fact_cols, conflicts = RowSpill(), [], [], [], []

        def texts():
            # Everything but the text is taken on the way past, so no Doc list is ever held.
            for d in docs:
                keys.append(d.key)
                meta_rows.append(*self._meta_row(d))
                sections.append(self._section(d.section))
                times.append(_days(d.published_at))
                self.docs_meta.append(self._shared_meta(d))
                if self.weighs_facts:
                    cols, conflict = self._fact_cols(d)
                    fact_cols.append(cols)
                    conflicts.append(conflict)
                yield d.title, d.body

        x = self.vectoriser.fit_transform(texts(), processes)
        self.text = SparseRows(x)
        if self.weighs_facts:
            fi = self.fact_index
            width = max(len(fi.names), 1)
            self.facts = SparseRows(rows_to_csr([fi.weigh(c) for c in fact_cols], width))
            self.units = SparseRows(rows_to_csr([c[0] for c in conflicts], width))
            self.figures = SparseRows(rows_to_csr([c[1] for c in conflicts], width))
            fact_cols.clear()
            conflicts.clear()
        if s.topic_dims and s.topic_weight and len(keys) >= s.min_docs_for_topics:
            self.topics.fit(x, self.vectoriser.vocab.df)
        self.topic = DenseRows(self.topics.transform(x))
        self.meta = SparseRows(assemble(((c, v) for c, v, _ in meta_rows.rows()),
                                        max(len(self.meta_col), 1)))
        meta_rows.close()
        self.sections = np.array(sections, np.int32)
        self.times = np.array(times, np.float64)
        self._interned.clear()
        return keys

    def add(self, doc: Doc) -> int:
        """Append ``doc`` as a new slot (vocabulary and df grow; weights of others stay)."""
        tok = self.vectoriser.tokenise(doc.title, doc.body, grow=True)
        self.vectoriser.add_df(tok, +1)
        cols, vals = self.vectoriser.weigh_one(tok)
        slot = self.text.append(cols, vals)
        if self.weighs_facts:
            cols, conflict = self._fact_cols(doc)
            self.facts.append(*self.fact_index.weigh(cols))
            self.units.append(*conflict[0])
            self.figures.append(*conflict[1])
        self.topic.append(self.topics.transform_row(cols, vals))
        self.meta.append(*self._meta_row(doc))
        self.sections = np.append(self.sections, np.int32(self._section(doc.section)))
        self.times = np.append(self.times, _days(doc.published_at))
        self.docs_meta.append(self._shared_meta(doc))
        return slot

    def forget(self, slot: int) -> None:
        """Take a removed slot out of the document frequencies (its rows stay, masked)."""
        cols, _ = self.text.row(slot)
        v = self.vectoriser
        v.vocab.df[cols] -= 1
        v.vocab.n_docs -= 1
        if self.weighs_facts:
            self.fact_index.count(self.facts.row(slot)[0], -1)

    def _shared_meta(self, doc: Doc) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """(section, tags, authors) for explanations, one object per distinct value: an
        archive has a few hundred sections, tags and bylines but a million articles."""
        keep = self._interned
        tags = tuple(keep.setdefault(t, t) for t in doc.tags)
        authors = tuple(keep.setdefault(a, a) for a in doc.authors)
        return (keep.setdefault(doc.section, doc.section), keep.setdefault(tags, tags),
                keep.setdefault(authors, authors))

    @property
    def weighs_facts(self) -> bool:
        """Facts are extracted only when a setting weighs them (no cost, no rows otherwise)."""
        return bool(self.settings.facts_weight or self.settings.conflict_weight)

    def _fact_cols(self, doc: Doc):
        """Fact columns of ``doc`` (counted into the fact document frequencies), and its rows
        for the figure-conflict score."""
        facts = extract_with_units(doc.title, doc.body)
        cols = self.fact_index.ids(set(facts))
        self.fact_index.count(cols, +1)
        lead = self.settings.conflict_lead_words
        if lead:
            facts = extract_with_units(doc.title, " ".join(doc.body.split()[:lead]))
        return cols, conflict_rows(self.fact_index, facts, self.settings.conflict_dates)

    def _section(self, name: str) -> int:
        if not name:
            return -1
        return self.section_id.setdefault(name, len(self.section_id))

    def _meta_row(self, doc: Doc) -> tuple[np.ndarray, np.ndarray]:
        # Tag and author sets as unit vectors scaled so that their dot product is
        # weight * |shared| / sqrt(|A| |B|): a cosine bonus that a long tag list cannot inflate.
        s = self.settings
        cols, vals = [], []
        for prefix, names, weight in (
            ("t:", doc.tags, s.tag_weight),
            ("a:", doc.authors, s.author_weight),
        ):
            uniq = sorted({n.strip().lower() for n in names if n.strip()})
            for name in uniq:
                cols.append(self.meta_col.setdefault(prefix + name, len(self.meta_col)))
                vals.append(math.sqrt(weight / len(uniq)))
        order = np.argsort(cols)
        return np.array(cols, np.int64)[order], np.array(vals, np.float32)[order]

    @property
    def n_slots(self) -> int:
        return self.text.n_rows

    # -- scoring ------------------------------------------------------------------------------
    def scores_for(self, slot: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first, content, text) scores of ``slot`` against every slot (itself included)."""
        s = self.settings
        n = self.n_slots
        cols, vals = self.text.row(slot)
        text = self.text.dot(cols, vals, n)
        content = text + self.meta.dot(*self.meta.row(slot), n)
        first = content.copy()
        if self.sections[slot] >= 0:
            same = self.sections == self.sections[slot]
            # Weights as float32 scalars: ``w * same`` with a Python float was a float64
            # temporary as long as the corpus, twice (5 ms an upsert at 1M articles; an add
            # masked by ``where=same`` took as long, its loop not vectorised).
            content += same * np.float32(s.section_weight)
            first += same * np.float32(s.section_weight + s.section_rank_weight)
        if self.topic.dim:
            first += s.topic_weight * (self.topic.matrix @ self.topic.data[slot])
        if s.facts_weight:
            first += s.facts_weight * self.facts.dot(*self.facts.row(slot), n)
        if s.conflict_weight:
            clash = self.units.dot(*self.units.row(slot), n)
            clash -= self.figures.dot(*self.figures.row(slot), n)
            first -= s.conflict_weight * np.clip(clash, 0, None)
        first += self._closeness(self.times[slot], self.times)
        return first, content, text

    def pair_scores(self, rows: np.ndarray, others: np.ndarray):
        """Exact (first, content, text) for pairs (rows[i], others[i, k]) of fitted slots."""
        s = self.settings
        shape = others.shape
        a, b = np.repeat(rows, shape[1]), others.ravel()
        text = _pair_dots(self.text.blocks[0].matrix, a, b).reshape(shape)
        content = text.copy()
        if self.meta.blocks and self.meta.blocks[0].matrix.nnz:
            content += _pair_dots(self.meta.blocks[0].matrix, a, b).reshape(shape)
        sec = self.sections[rows][:, None]
        same = (sec == self.sections[others]) & (sec >= 0)
        content += s.section_weight * same
        first = content + self.recency(rows, others)
        if s.section_rank_weight:
            first += s.section_rank_weight * same
        if s.facts_weight and self.facts.blocks and self.facts.blocks[0].matrix.nnz:
            first += s.facts_weight * _pair_dots(self.facts.blocks[0].matrix, a, b).reshape(shape)
        if s.conflict_weight and self.units.blocks and self.units.blocks[0].matrix.nnz:
            clash = _pair_dots(self.units.blocks[0].matrix, a, b)
            clash -= _pair_dots(self.figures.blocks[0].matrix, a, b)
            first -= s.conflict_weight * np.clip(clash, 0, None).reshape(shape)
        if self.topic.dim:
            z = self.topic.matrix
            first += s.topic_weight * np.einsum("ij,ikj->ik", z[rows], z[others])
        return first, content, text

    def recency(self, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Recency tie-break and distance penalty for pairs (rows[i], others[i, k])."""
        return self._closeness(self.times[rows][:, None], self.times[others])

    def _closeness(self, t, times) -> np.ndarray:
        # recency_weight x exp(-|days apart| / scale), minus the distance penalty (settings);
        # articles without a date get neither, either way.
        # In float32 from the float64 difference, in place: an upsert computes it against
        # every article, and at 1M the float64 exponential and its cast were 10-15 ms of it
        # (3-5 ms now). Within 2e-9 of the float64 result: a tie-breaker of weight 0.01.
        s = self.settings
        apart = np.empty(np.broadcast_shapes(np.shape(t), np.shape(times)), np.float32)
        with np.errstate(invalid="ignore"):
            np.subtract(times, t, out=apart, casting="same_kind")
            np.abs(apart, out=apart)
            out = np.multiply(apart, np.float32(-1.0 / s.recency_days))
            np.exp(out, out=out)
            out *= np.float32(s.recency_weight)
            if s.distance_weight:
                far = np.subtract(apart, np.float32(s.distance_grace_days))
                far /= np.float32(s.distance_span_days)
                np.clip(far, 0, 1, out=far)
                far *= np.float32(s.distance_weight)
                out -= far
            out[np.isnan(out)] = 0.0  # undated: neither the bonus nor the penalty
        return out


def _pair_dots(m: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products ``m[a[i]] . m[b[i]]`` (rows have sorted column indices)."""
    return np.asarray(m[a].multiply(m[b]).sum(axis=1), dtype=np.float32).ravel()
