"""Writing stored lists: pins first, then the engine's picks minus exclusions.

Each list keeps `SPARE` more rows than a page shows, so that an article which stops being
visible drops out on read (`reading.shown_related`) and the next one moves up at
once, before the lists are recomputed. Every row points at a visible story when written.
Callers hold the `EngineState` lock (`state.locked`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import islice

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef

from . import documents
from .engines import RelatedEngine
from .models import RelatedArticle, RelatedOverride

SPARE = 4  # the engine keeps 12 entries per article, enough for 4 + 4 and some exclusions
CHUNK = 500  # lists per round of queries (bounded IN lists on SQLite)


def page_size() -> int:
    return settings.MASTHEAD_RELATED_COUNT


def write(engine: RelatedEngine, article_ids: Iterable[int], progress=None,
          visible: set[int] | None = None) -> set[int]:
    """Recompute and store the lists of `article_ids` (an article that is not a visible story
    loses its list); return the ids whose first `page_size()` entries changed. `progress`,
    when given, wraps the ids (a bar that advances a chunk at a time).

    `visible`: every visible story's id, when the caller has read them all under the lock
    (a full rebuild); then no chunk asks the database which of its articles and of their
    picks are visible. Asking cost ~5 % of a 100k rebuild's CPU: an `IN` of ~4,000 ids a
    chunk (issue 20, item 4); 1M ids held in a set are ~60 MB.

    When no list is stored yet (a first build, as after importing an archive), no chunk
    reads or deletes old rows: there are none, and on PostgreSQL each chunk's `DELETE …
    WHERE article_id IN (500 ids)` of a table the planner last saw empty was planned as a
    scan of everything written so far (0.2-0.5 s a chunk by the end of a 1M build, most of
    its lists phase; docs/performance.md)."""
    ids = sorted(set(article_ids))
    stream = iter(progress(ids, len(ids), "list") if progress is not None else ids)
    first = not RelatedArticle.objects.exists()
    changed: set[int] = set()
    while chunk := list(islice(stream, CHUNK)):
        changed |= _write_chunk(engine, chunk, visible, first)
    return changed


def drop_invisible() -> None:
    """Remove the lists of articles that are no longer visible stories (full rebuilds).

    An anti-join (NOT EXISTS): as `NOT IN (visible ids)` PostgreSQL could not hash a million
    ids in `work_mem` and re-read the list for each of the 8M rows (the 1M rebuild's last
    statement ran for over 11 minutes before it was stopped)."""
    visible = documents.candidates().filter(pk=OuterRef("article_id"))
    RelatedArticle.objects.exclude(Exists(visible)).delete()


def _write_chunk(engine: RelatedEngine, ids: list[int], known: set[int] | None,
                 first: bool = False) -> set[int]:
    n = page_size()
    visible = (set(documents.candidates_among(ids).values_list("pk", flat=True))
               if known is None else known.intersection(ids))
    pins: dict[int, list[int]] = defaultdict(list)
    excluded: dict[int, set[int]] = defaultdict(set)
    for article_id, related_id, kind in RelatedOverride.objects.filter(
            article_id__in=visible).order_by("created_at", "id").values_list(
            "article_id", "related_id", "kind"):
        if kind == RelatedOverride.Kind.PIN:
            pins[article_id].append(related_id)
        else:
            excluded[article_id].add(related_id)

    picks = {}
    for pk in visible:
        skip = [documents.engine_key(x) for x in excluded[pk] | set(pins[pk])]
        want = max(n - len(pins[pk]), 0) + SPARE
        try:
            picks[pk] = engine.related(documents.engine_key(pk), want, exclude=skip)
        except KeyError:  # not in the engine (yet): pins only, the page adds "Latest from"
            picks[pk] = []

    named = {x for pk in visible for x in pins[pk]}
    named |= {documents.article_id(r.key) for items in picks.values() for r in items}
    # The engine may still hold an article deleted behind its back; store only visible ones.
    alive = (set(documents.candidates_among(named).values_list("pk", flat=True))
             if known is None else named & known)

    rows: list[tuple] = []
    new: dict[int, list[int]] = {}
    for pk in visible:
        entries = [(x, True, None, {}) for x in pins[pk] if x in alive and x != pk]
        entries += [
            (documents.article_id(r.key), False, r.score, r.explanation.as_dict())
            for r in picks[pk] if documents.article_id(r.key) in alive
        ]
        new[pk] = [e[0] for e in entries]
        rows += [(pk, rel, rank, pinned, score, why)
                 for rank, (rel, pinned, score, why) in enumerate(entries)]

    old: dict[int, list[int]] = defaultdict(list)
    if not first:
        for article_id, related_id in RelatedArticle.objects.filter(
                article_id__in=ids).order_by("article_id", "rank").values_list(
                "article_id", "related_id"):
            old[article_id].append(related_id)
        RelatedArticle.objects.filter(article_id__in=ids).delete()
    _insert(rows)
    return {pk for pk in visible if old[pk][:n] != new[pk][:n]}


def _insert(rows: list[tuple]) -> None:
    """Store (article, related, rank, pinned, score, explanation) rows. PostgreSQL: one COPY
    (160k rows: 5.1-7.5 s against 10.5-11.5 s as a prepared INSERT per row, and a fifth of
    the client's CPU). SQLite: one prepared INSERT run for every row (`executemany`).
    `bulk_create` built a model instance per row and ran its SQL compiler over every field:
    at 100k articles, 800k rows, most of the lists phase's own CPU (issue 20, item 4). The
    explanation goes through the field's own conversion (JSON text on SQLite, a `Jsonb`
    adapter on PostgreSQL)."""
    if not rows:
        return
    meta = RelatedArticle._meta
    quote = connection.ops.quote_name
    names = ("article", "related", "rank", "pinned", "score", "explanation")
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    prep = meta.get_field("explanation").get_db_prep_save
    values = ((*row[:5], prep(row[5], connection)) for row in rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                    f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                           f"VALUES ({', '.join(['%s'] * len(names))})", list(values))
