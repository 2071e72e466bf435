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

from django.db.models import Exists, OuterRef

from masthead.articles.models import Article, ArticleTag, Byline
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


def candidates_among(ids: Iterable[int]):
    """Those of `ids` that are `candidates()`, looked up by id.

    Visibility is a correlated EXISTS, as on search's result page: with the filters applied
    to the id list directly, SQLite without ANALYZE statistics (a freshly imported site) walked
    the covering kind index through every story instead of looking the ids up: 128 ms per
    query at 1M articles, three of them in each related-lists update on publish (issue 20)."""
    return Article.objects.filter(pk__in=list(ids)).filter(
        Exists(candidates().filter(pk=OuterRef("pk"))))


# Rows, not model instances: at 100k articles, instances with their prefetched tags and
# bylines cost ~25 CPU s of a rebuild (issue 20, item 4); a row of values and two queries a
# chunk for tags and bylines give the same Doc (tests/test_rebuild_rows.py compares the two).
_COLUMNS = ("id", "headline", "standfirst", "body_html", "published_at", "section__name")


def _names(rows) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for pk, name in rows:
        found.setdefault(pk, []).append(name)
    return {pk: tuple(names) for pk, names in found.items()}


def _docs(rows: list[tuple]) -> Iterator[Doc]:
    """Docs of rows of `_COLUMNS`, in their order: tags by name (`Tag`'s ordering, as
    `article.tags.all()` gives them), bylines by position."""
    ids = [row[0] for row in rows]
    tags = _names(ArticleTag.objects.filter(article_id__in=ids).order_by(
        "article_id", "tag__name").values_list("article_id", "tag__name"))
    authors = _names(Byline.objects.filter(article_id__in=ids).order_by(
        "article_id", "position", "id").values_list("article_id", "author__name"))
    for pk, headline, standfirst, body_html, published_at, section in rows:
        body = html_to_text(body_html)
        if standfirst:
            body = f"{standfirst}\n\n{body}"
        yield Doc(key=engine_key(pk), title=headline, body=body, section=section or "",
                  tags=tags.get(pk, ()), authors=authors.get(pk, ()),
                  published_at=published_at)


def all_docs() -> Iterator[Doc]:
    """Every visible story, newest first (the engine takes its word-pair vocabulary from the
    first articles it reads, and recent news is what new articles will resemble), streamed:
    `iterator()` reads in chunks (a server-side cursor on PostgreSQL), so memory stays flat."""
    rows = candidates().order_by("-published_at", "-id").values_list(*_COLUMNS)
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from _docs(chunk)
            chunk = []
    yield from _docs(chunk)


def docs_for(ids: Iterable[int]) -> dict[int, Doc]:
    """Docs of those of `ids` that are visible stories now (the others must be removed)."""
    ids = list(ids)
    found: dict[int, Doc] = {}
    for start in range(0, len(ids), CHUNK):
        rows = list(candidates_among(ids[start:start + CHUNK]).values_list(*_COLUMNS))
        found.update((article_id(doc.key), doc) for doc in _docs(rows))
    return found

