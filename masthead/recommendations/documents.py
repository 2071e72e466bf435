"""Articles as the engine sees them: `Doc` records keyed by the article's primary key.

The engine key is `str(article.pk)`, not `Article.key`: slugs are unique only per day, and an
engine needs unique keys. `Article.key` (external id, else slug) is used only where the
contract asks for it, in `masthead related export`.

The engine reads what a reader reads: headline, standfirst and the rendered body as plain text
(so link targets and Markdown syntax are not taken for words), plus section, tags and bylines.
Only visible stories (`Article.objects.published().stories()`) are ever given to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

from masthead.articles.models import Article, Byline
from masthead.core.html import html_to_text

from .engines import Doc

CHUNK = 1000


def engine_key(pk: int) -> str:
    return str(pk)


def article_id(key: str) -> int:
    return int(key)


def candidates():
    """The articles the engine may hold and recommend."""
    return Article.objects.published().stories()


def _with_features(queryset):
    return queryset.select_related("section").prefetch_related(
        "tags", Prefetch("bylines", queryset=Byline.objects.select_related("author")),
    ).only("id", "headline", "standfirst", "body_html", "published_at", "section__name")


def to_doc(article: Article) -> Doc:
    body = html_to_text(article.body_html)
    if article.standfirst:
        body = f"{article.standfirst}\n\n{body}"
    return Doc(
        key=engine_key(article.pk),
        title=article.headline,
        body=body,
        section=article.section.name if article.section_id else "",
        tags=tuple(t.name for t in article.tags.all()),
        authors=tuple(b.author.name for b in sorted(article.bylines.all(),
                                                    key=lambda b: b.position)),
        published_at=article.published_at,
    )


def all_docs() -> Iterator[Doc]:
    """Every visible story, newest first (the engine takes its word-pair vocabulary from the
    first articles it reads, and recent news is what new articles will resemble), streamed."""
    queryset = _with_features(candidates()).order_by("-published_at", "-id")
    for article in queryset.iterator(chunk_size=CHUNK):
        yield to_doc(article)


def docs_for(ids: Iterable[int]) -> dict[int, Doc]:
    """Docs of those of `ids` that are visible stories now (the others must be removed)."""
    ids = list(ids)
    found: dict[int, Doc] = {}
    for start in range(0, len(ids), CHUNK):
        for article in _with_features(candidates().filter(pk__in=ids[start:start + CHUNK])):
            found[article.pk] = to_doc(article)
    return found
