"""The recommendation-engine contract: ``Doc`` in, ``Related`` out, and the ``RelatedEngine`` base.

Engines are pure Python (no Django, no database). The recommendations app's services feed them
published articles as ``Doc`` records and persist the lists they return; a later engine (or a
remote one) can replace the default without changing a caller, as Wagtail's search backends do.

Lifecycle, as the database layer uses it::

    engine.fit(docs)                       # full build, e.g. at `masthead related rebuild`
    engine.related(key, n=4, exclude=...)  # one article's list, best first (may be shorter)
    engine.upsert(doc) -> set[str]         # other articles whose visible list changed
    engine.remove(key) -> set[str]         # likewise, after an unpublish or delete
    engine.needs_refit()                   # True when incremental drift calls for a new fit
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_N = 4  # "Articles You May Like" shows four (CONTRACT.md, Article page)


@dataclass(frozen=True)
class Doc:
    """One published article as an engine sees it (the engine never reads the database)."""

    key: str
    title: str
    body: str
    section: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None


@dataclass(frozen=True)
class Explanation:
    """Why two articles were paired: what they share, strongest first."""

    terms: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    section: str = ""
    authors: tuple[str, ...] = ()
    # Evidence beyond shared words (issue 19): figures, dates and names both articles give
    # (when the engine weighs them), and how far apart they were published (both dated).
    facts: tuple[str, ...] = ()
    days_apart: int | None = None

    def as_dict(self) -> dict:
        """JSON-ready form for the database and ``masthead related export``."""
        out: dict = {"terms": list(self.terms)}
        if self.facts:
            out["facts"] = list(self.facts)
        if self.days_apart is not None:
            out["days_apart"] = self.days_apart
        if self.tags:
            out["tags"] = list(self.tags)
        if self.section:
            out["section"] = self.section
        if self.authors:
            out["authors"] = list(self.authors)
        return out

    def __str__(self) -> str:
        parts = []
        if self.terms:
            parts.append("shared terms: " + ", ".join(self.terms))
        if self.tags:
            parts.append("shared tags: " + ", ".join(self.tags))
        if self.section:
            parts.append(f"same section: {self.section}")
        if self.authors:
            parts.append("same author: " + ", ".join(self.authors))
        if self.facts:
            parts.append("same figures, dates or names: " + ", ".join(self.facts))
        if self.days_apart is not None:
            parts.append(f"published {_apart(self.days_apart)}")
        return "; ".join(parts)


def _apart(days: int) -> str:
    """Publication-time distance as an editor would say it."""
    if days == 0:
        return "the same day"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} apart"
    if days < 730:
        return f"{round(days / 30.4)} months apart"
    return f"{round(days / 365.25)} years apart"


@dataclass(frozen=True)
class Related:
    """One recommended article: its key, a score (higher = closer) and why."""

    key: str
    score: float
    explanation: Explanation = field(default_factory=Explanation)


class RelatedEngine(ABC):
    """Base class every related-articles engine implements (one contract test suite for all)."""

    name: str = "base"
    # Processes a full fit may fork to share its work (masthead.core.forked); the results are
    # those of one process. The app sets it from MASTHEAD_RELATED_PROCESSES before a rebuild.
    processes: int = 1

    @abstractmethod
    def fit(self, docs: Iterable[Doc]) -> None:
        """Forget everything and build from ``docs`` (keys must be unique)."""

    @abstractmethod
    def related(self, key: str, n: int = DEFAULT_N, exclude: Iterable[str] = ()) -> list[Related]:
        """Up to ``n`` related articles for ``key``, best first; fewer when too few clear the
        relevance floor (the page then shows its "Latest from <section>" fallback).
        ``exclude`` drops keys (e.g. editor-excluded articles) without recomputing.
        Raises ``KeyError`` for an unknown key."""

    @abstractmethod
    def upsert(self, doc: Doc) -> set[str]:
        """Add or replace ``doc``; return the keys of *other* articles whose top-``DEFAULT_N``
        list changed (the caller always rewrites ``doc.key``'s own list)."""

    @abstractmethod
    def remove(self, key: str) -> set[str]:
        """Forget ``key``; return the keys of articles whose top-``DEFAULT_N`` list changed.
        Unknown keys are ignored (returns an empty set)."""

    @abstractmethod
    def keys(self) -> list[str]:
        """Keys of all articles the engine holds."""

    def __contains__(self, key: object) -> bool:
        return key in set(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def warm(self) -> None:
        """Get ready for updates (build what a fit or a snapshot load leaves for later); a
        server calls it before taking the publishing lock. Nothing to do by default."""
        return None

    def needs_refit(self) -> bool:
        """True when incremental updates have drifted far enough that a full fit is due."""
        return False

    def all_related(self, n: int = DEFAULT_N) -> Iterator[tuple[str, list[Related]]]:
        """Every article's list, for a rebuild or an export."""
        for key in self.keys():
            yield key, self.related(key, n)
