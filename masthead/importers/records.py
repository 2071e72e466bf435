"""The neutral shape of imported content.

Every source (JSON Lines, WordPress WXR, RSS/Atom feeds, a saved article page) is parsed into
these plain records first; `importers.services` then stores records in one transaction. Keeping
parsing free of the ORM lets each source be tested alone and lets all of them share one store
path (idempotency by external key, redirects for old permalinks, comment threading, privacy).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, fields

from masthead.core.text import clean_text


def _clean(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, _Cleanable):
        value.clean()
    return value


class _Cleanable:
    """Records are stored with bulk inserts, which skip the model-save cleaning receiver
    (core/signal_handlers.py): the store cleans each record instead (issue 15, item 1)."""

    def clean(self) -> None:
        for f in fields(self):
            setattr(self, f.name, _clean(getattr(self, f.name)))


class RecordError(ValueError):
    """A source record that cannot be imported; the message is shown to the user as is."""


@dataclass
class CommentRecord(_Cleanable):
    key: str  # external id, unique within the article's source
    author: str
    body: str  # plain text
    email: str = ""
    url: str = ""
    status: str = "approved"  # pending | approved | spam | trash
    created_at: dt.datetime | None = None
    parent_key: str = ""  # key of the comment replied to, "" for top level
    ip_address: str = ""


@dataclass
class AuthorRecord(_Cleanable):
    name: str
    slug: str = ""
    bio: str = ""
    login: str = ""  # WordPress user login, when the source has one
    email: str = ""  # never published; kept only to create a staff account


@dataclass
class ArticleRecord(_Cleanable):
    title: str
    body: str  # Markdown (or plain text: a blank line separates paragraphs)
    key: str = ""  # external key, kept as Article.external_key; "" when the source has none
    kind: str = "article"  # article | page
    status: str = "published"  # published | draft | scheduled
    slug: str = ""
    standfirst: str = ""
    published_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    section: str = ""  # section *name*; created when missing
    tags: list[str] = field(default_factory=list)  # tag names; created when missing
    authors: list[str] = field(default_factory=list)  # author names, in byline order
    lead_image_url: str = ""
    lead_image_alt: str = ""
    lead_image_caption: str = ""
    comments: list[CommentRecord] = field(default_factory=list)
    old_paths: list[str] = field(default_factory=list)  # old permalinks to 301 here
    attachments: list[str] = field(default_factory=list)  # original media URLs (recorded)


@dataclass
class SkippedItem:
    """An item a source deliberately did not import, with the reason shown in the summary."""

    what: str  # e.g. "attachment 'logo.png'", "nav_menu_item 12"
    reason: str
    whole: bool = True  # an item of the source left out (not a part of one, e.g. a comment)


# Skipped items listed one by one for each reason; past that they are counted. A 1M-post
# WordPress export has 100,000 attachments, each skipped with the same reason: the report
# kept an entry for each through the import and printed 100,000 lines (issue 20).
LISTED_PER_REASON = 20


@dataclass
class ImportReport:
    """What an import did: counts per kind and the skipped items with their reasons (the first
    `LISTED_PER_REASON` of each reason by name, then how many more)."""

    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # what a note is about -> every note about it, listed or not
    note_counts: Counter[str] = field(default_factory=Counter)
    # (reason, whole) -> every item skipped for it, listed or not
    skip_counts: Counter[tuple[str, bool]] = field(default_factory=Counter)

    def count(self, kind: str, created: bool = True, n: int = 1) -> None:
        bucket = self.created if created else self.unchanged
        bucket[kind] = bucket.get(kind, 0) + n

    def skip(self, what: str, reason: str, whole: bool = True) -> None:
        key = (reason, whole)
        self.skip_counts[key] += 1
        if self.skip_counts[key] <= LISTED_PER_REASON:
            self.skipped.append(SkippedItem(what, reason, whole))

    def note(self, text: str, about: str = "") -> None:
        """A remark on one item; past `LISTED_PER_REASON` of the same `about`, only counted
        (a million untitled posts would otherwise be a million lines, kept in memory)."""
        key = about or text
        self.note_counts[key] += 1
        if self.note_counts[key] <= LISTED_PER_REASON:
            self.notes.append(text)

    def add_skips(self, other: ImportReport) -> None:
        """Another report's skipped items (a parser's, read in another process) and notes."""
        self.skipped += other.skipped
        self.skip_counts.update(other.skip_counts)
        self.notes += other.notes
        self.note_counts.update(other.note_counts)

    def lines(self) -> list[str]:
        out = []
        for kind in sorted(set(self.created) | set(self.unchanged)):
            out.append(
                f"{kind}: {self.created.get(kind, 0)} created, "
                f"{self.unchanged.get(kind, 0)} already present"
            )
        listed: dict[tuple[str, bool], int] = {}
        for item in self.skipped:
            out.append(f"skipped {item.what}: {item.reason}")
            listed[item.reason, item.whole] = listed.get((item.reason, item.whole), 0) + 1
        for (reason, whole), n in self.skip_counts.items():
            if n > listed.get((reason, whole), 0):
                out.append(f"skipped {n - listed.get((reason, whole), 0)} more "
                           f"{'item' if whole else 'part'}(s): {reason}")
        out.extend(self.notes)
        out.extend(f"{n - LISTED_PER_REASON} more: {about}"
                   for about, n in self.note_counts.items() if n > LISTED_PER_REASON)
        return out

    def summary(self) -> str:
        """The last line of every import (issue 16): articles and pages stored, those skipped
        (already present, or left out with a reason above) and errors, which are always 0
        here: an error stops the import with nothing stored."""
        stories = ("article", "page")
        imported = sum(self.created.get(k, 0) for k in stories)
        skipped = sum(self.unchanged.get(k, 0) for k in stories) + sum(
            n for (_, whole), n in self.skip_counts.items() if whole)
        line = f"{imported} imported, {skipped} skipped, 0 errors"
        if not imported and not skipped and not self.skipped:
            line += " (the input holds no articles)"
        return line
