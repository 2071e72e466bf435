"""What the index holds for an article: its headline, standfirst and body as plain text.

Only `Article.objects.published()` is ever indexed (STYLE habit 3); nothing else about an
article (authors' accounts, comments, revision notes) reaches the index. Section, tag, author and
date filters are applied at query time against the articles table, so a renamed section or a
new tag never requires reindexing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from masthead.articles.models import Article
from masthead.core.html import html_to_text

from .snippets import clean

# Surface words kept for "did you mean": letters only, as readers would type them.
_VOCAB_RE = re.compile(r"[^\W\d_]{3,30}", re.UNICODE)


@dataclass(frozen=True)
class Document:
    article_id: int
    title: str
    standfirst: str
    body: str
    published_at: dt.datetime | None = None  # for ordering equal scores, newest first

    def words(self) -> set[str]:
        text = f"{self.title} {self.standfirst} {self.body}".lower()
        return set(_VOCAB_RE.findall(text))


def indexable():
    """The articles the index should hold: exactly those visible to readers."""
    return Article.objects.published()


def documents(queryset, chunk_size: int = 1000) -> Iterator[Document]:
    """Documents for the articles of `queryset`, a chunk at a time in id order.

    Each chunk is its own short query (keyset pagination) rather than one long-running
    cursor: on SQLite an open read statement stops WAL checkpoints, and during a rebuild of
    100k articles the WAL grew to 1.6 GB behind it.
    """
    rows = queryset.order_by("pk").values_list("pk", "headline", "standfirst", "body_html",
                                               "published_at")
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:chunk_size]):
        for pk, headline, standfirst, body_html, published_at in chunk:
            yield Document(pk, clean(headline), clean(standfirst),
                           clean(html_to_text(body_html)), published_at)
        last = chunk[-1][0]


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
