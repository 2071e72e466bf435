"""Writing stored lists: pins first, then the engine's picks minus exclusions.

Each list keeps `SPARE` more rows than a page shows, so that an article which stops being
visible drops out on read (`reading.shown_related`) and the next one moves up at
once, before the lists are recomputed. Every row points at a visible story when written.
Callers hold the `EngineState` lock (`state.locked`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from itertools import islice

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef

from masthead.core import forked

from . import documents
from .engines import RelatedEngine
from .models import RelatedArticle, RelatedOverride

SPARE = 4  # the engine keeps 12 entries per article, enough for 4 + 4 and some exclusions
CHUNK = 500  # lists per round of queries (bounded IN lists on SQLite)
PARALLEL_MIN = 20_000  # lists below which a rebuild is not worth forking workers for


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
    its lists phase; docs/performance.md).

    With `visible` given and at least `PARALLEL_MIN` lists, the engine's picks are computed in
    `processes()` forked workers (`core.forked`) while this process writes what they return:
    at 1M the picks with their explanations were 531 s of a 928 s lists phase on one core."""
    ids = sorted(set(article_ids))
    stream = iter(progress(ids, len(ids), "list") if progress is not None else ids)
    first = not RelatedArticle.objects.exists()
    changed: set[int] = set()
    chunks = iter(lambda: list(islice(stream, CHUNK)), [])
    if visible is None or len(ids) < PARALLEL_MIN or processes() < 2:
        for chunk in chunks:
            changed |= _write_chunk(engine, chunk, visible, first)
        return changed
    pins, excluded = _overrides(None)
    tasks = (_task(chunk, visible, pins, excluded) for chunk in chunks)
    for chunk, rows, new in forked.ordered_map(_rows_of, (engine, visible), tasks, processes()):
        changed |= _store(chunk, rows, new, first)
    return changed


def processes() -> int:
    """Worker processes for a full rebuild: `MASTHEAD_RELATED_PROCESSES`, 0 = every usable CPU."""
    return settings.MASTHEAD_RELATED_PROCESSES or forked.usable_cpus()


def drop_invisible() -> None:
    """Remove the lists of articles that are no longer visible stories (full rebuilds).

    An anti-join (NOT EXISTS): as `NOT IN (visible ids)` PostgreSQL could not hash a million
    ids in `work_mem` and re-read the list for each of the 8M rows (the 1M rebuild's last
    statement ran for over 11 minutes before it was stopped)."""
    visible = documents.candidates().filter(pk=OuterRef("article_id"))
    RelatedArticle.objects.exclude(Exists(visible)).delete()


def _write_chunk(engine: RelatedEngine, ids: list[int], known: set[int] | None,
                 first: bool = False) -> set[int]:
    visible = (set(documents.candidates_among(ids).values_list("pk", flat=True))
               if known is None else known.intersection(ids))
    pins, excluded = _overrides(visible)
    picks = _picks(engine, sorted(visible), pins, excluded)
    named = _named(picks, pins)
    # The engine may still hold an article deleted behind its back; store only visible ones.
    alive = (set(documents.candidates_among(named).values_list("pk", flat=True))
             if known is None else named & known)
    return _store(ids, *_rows(picks, pins, alive), first)


def _overrides(article_ids) -> tuple[dict[int, list[int]], dict[int, set[int]]]:
    """Editors' pins (in the order they were added) and exclusions of these articles (None:
    of every article, one query for a full rebuild)."""
    pins: dict[int, list[int]] = defaultdict(list)
    excluded: dict[int, set[int]] = defaultdict(set)
    overrides = RelatedOverride.objects.all()
    if article_ids is not None:
        overrides = overrides.filter(article_id__in=article_ids)
    for article_id, related_id, kind in overrides.order_by("created_at", "id").values_list(
            "article_id", "related_id", "kind"):
        if kind == RelatedOverride.Kind.PIN:
            pins[article_id].append(related_id)
        else:
            excluded[article_id].add(related_id)
    return dict(pins), dict(excluded)


def _task(chunk, visible, pins, excluded):
    """A worker's task: a chunk of ids with its visible ones' pins and exclusions."""
    shown = [pk for pk in chunk if pk in visible]
    return (chunk, {pk: pins[pk] for pk in shown if pk in pins},
            {pk: excluded[pk] for pk in shown if pk in excluded})


def _rows_of(shared, task):
    """(chunk, rows, new) of one chunk, in a worker: the engine and the visible ids are
    inherited, the same work as `_write_chunk` before its writes."""
    engine, known = shared
    chunk, pins, excluded = task
    shown = [pk for pk in chunk if pk in known]
    picks = _picks(engine, shown, pins, excluded)
    return (chunk, *_rows(picks, pins, _named(picks, pins) & known))


def _named(picks: dict, pins: dict) -> set[int]:
    """Every article these lists would show: their pins and the engine's picks."""
    return ({x for pk in picks for x in pins.get(pk, ())}
            | {rel for items in picks.values() for rel, _, _ in items})


def _picks(engine: RelatedEngine, ids: list[int], pins: dict, excluded: dict) -> dict:
    """{article: [(related id, score, explanation as JSON text)]}: the engine's picks, pinned
    and excluded articles left out. No database access: forked workers run it (`_rows_of`)."""
    n = page_size()
    picks = {}
    for pk in ids:
        pinned = pins.get(pk, ())
        skip = [documents.engine_key(x) for x in excluded.get(pk, set()) | set(pinned)]
        want = max(n - len(pinned), 0) + SPARE
        try:
            found = engine.related(documents.engine_key(pk), want, exclude=skip)
        except KeyError:  # not in the engine (yet): pins only, the page adds "Latest from"
            found = []
        picks[pk] = [(documents.article_id(r.key), r.score, json.dumps(r.explanation.as_dict()))
                     for r in found]
    return picks


def _rows(picks: dict, pins: dict, alive: set[int]) -> tuple[list[tuple], dict]:
    """The rows to store (pins first, then picks, only articles in `alive`) and each list's
    related ids in order."""
    rows: list[tuple] = []
    new: dict[int, list[int]] = {}
    for pk, items in picks.items():
        entries = [(x, True, None, "{}") for x in pins.get(pk, ()) if x in alive and x != pk]
        entries += [(rel, False, score, why) for rel, score, why in items if rel in alive]
        new[pk] = [e[0] for e in entries]
        rows += [(pk, rel, rank, pinned, score, why)
                 for rank, (rel, pinned, score, why) in enumerate(entries)]
    return rows, new


def _store(ids: list[int], rows: list[tuple], new: dict, first: bool) -> set[int]:
    """Replace the lists of `ids` by `rows`; the ids whose first `page_size()` entries changed."""
    old: dict[int, list[int]] = defaultdict(list)
    if not first:
        for article_id, related_id in RelatedArticle.objects.filter(
                article_id__in=ids).order_by("article_id", "rank").values_list(
                "article_id", "related_id"):
            old[article_id].append(related_id)
        RelatedArticle.objects.filter(article_id__in=ids).delete()
    _insert(rows)
    n = page_size()
    return {pk for pk in new if old[pk][:n] != new[pk][:n]}


def _insert(rows: list[tuple]) -> None:
    """Store (article, related, rank, pinned, score, explanation) rows. PostgreSQL: one COPY
    (160k rows: 5.1-7.5 s against 10.5-11.5 s as a prepared INSERT per row, and a fifth of
    the client's CPU). SQLite: one prepared INSERT run for every row (`executemany`).
    `bulk_create` built a model instance per row and ran its SQL compiler over every field:
    at 100k articles, 800k rows, most of the lists phase's own CPU (issue 20, item 4). The
    explanation arrives as JSON text (`json.dumps`, as the field itself writes it on SQLite;
    PostgreSQL's COPY parses the text into `jsonb`), made where the picks are computed, in
    the workers of a parallel rebuild."""
    if not rows:
        return
    meta = RelatedArticle._meta
    quote = connection.ops.quote_name
    names = ("article", "related", "rank", "pinned", "score", "explanation")
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                    f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                           f"VALUES ({', '.join(['%s'] * len(names))})", rows)
