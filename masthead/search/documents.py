"""What the index holds for an article: its headline, standfirst and body as plain text, and
its filter terms (section, tag and author ids, publication day: see `facets`).

Only `Article.objects.published()` is ever indexed (STYLE habit 3); nothing else about an
article (authors' accounts, comments, revision notes) reaches the index. Filters are matched
inside the index (ids, so a renamed section or tag needs no reindex); `article_changed` keeps
them true when an article moves section or gains a tag, and `services.search` checks the page
it shows against the articles table, repairing any entry found out of date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone

from masthead.articles.models import Article, Byline
from masthead.core.html import html_to_text

from . import facets
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
    facets: tuple[str, ...] = ()  # filter terms (facets.terms)

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
                                               "published_at", "section_id")
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:chunk_size]):
        tags, authors = _relations([row[0] for row in chunk])
        for pk, headline, standfirst, body_html, published_at, section_id in chunk:
            day = timezone.localdate(published_at) if published_at else None
            yield Document(pk, clean(headline), clean(standfirst),
                           clean(html_to_text(body_html)), published_at,
                           tuple(facets.terms(section_id, tags[pk], authors[pk], day)))
        last = chunk[-1][0]


def _relations(article_ids) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Tag ids and author ids of these articles (two queries a chunk)."""
    tags: dict[int, list[int]] = defaultdict(list)
    authors: dict[int, list[int]] = defaultdict(list)
    through = Article.tags.through.objects.filter(article_id__in=article_ids)
    for article_id, tag_id in through.values_list("article_id", "tag_id"):
        tags[article_id].append(tag_id)
    bylines = Byline.objects.filter(article_id__in=article_ids)
    for article_id, author_id in bylines.values_list("article_id", "author_id"):
        authors[article_id].append(author_id)
    return tags, authors


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
