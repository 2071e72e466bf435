"""PostgreSQL: writing index entries in one statement, and `search reindex` into a new table
that is indexed once and swapped in (issue 20).

Writing. An entry's row and its four vectors are written by one `INSERT ... SELECT` from
arrays of the batch's values, the vectors computed by the same Django expressions as before
(`postgres_vectors.weighted`, `head`, compiled here), upserting on the article id. Writing the row
and then UPDATE-ing its vectors wrote every row twice, each time through every index.

Rebuilding. Updating four GIN indexes row by row (one of them an expression index whose
every entry computes the pairs of a whole vector) is what made a rebuild of 100k articles take
482 s. A rebuild now fills `search_document_rebuild` (a primary key, no other index), builds
the table's indexes once over the finished table (a sorted bulk build, as `pg_indexes` lists
them for the live table, so a migration that adds an index is followed; over WRITERS
connections at once, each part of the phrase-pairs index in a lane of its own and the other
indexes shared out after them), then swaps the
tables in one short transaction (drop the old, rename the new and its indexes). Readers keep
searching the old table until the swap; the swap waits for the searches running at that
moment (an ACCESS EXCLUSIVE lock, given up after `lock_timeout`, when the whole swap is
retried). While the new table exists, every change (publish, edit, withdraw) is written to
both tables (`tables()`), so the swapped-in index misses nothing made during the rebuild.

Filling. The server computes each batch's vectors in the backend process of the connection
that sent it, one core; so `fill` sends the batches over WRITERS connections at once, each
from its own thread, while this thread reads the articles. Order does not matter: the
rebuild's writes never replace an entry (`upsert(replace=False)`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable

from django.db import connections, transaction
from django.db.models.functions import Left

from ..models import PgDocument
from .postgres_vectors import LEDE_CHARS, head, weighted

log = logging.getLogger(__name__)
LIVE = "search_document"
SHADOW = "search_document_rebuild"
SWAP_ATTEMPTS = 5
WRITERS = 2  # connections filling the new table at once (one server core each)
# Indexes a migration replaced but kept, so that servers still running the release before it
# keep their queries fast during a rolling upgrade (deploy.md); the first rebuild drops them.
RETIRED = ("search_document_pairs",)  # by search_document_phrase_pairs_0 and _1 (0006)
COLUMNS = ("article_id", "title", "standfirst", "body", "published_at", "facets",
           "vector", "lede_vector", "head_vector")


def tables(cursor) -> list[str]:
    """The live table, and the rebuild's while one is being filled."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [SHADOW])
    return [LIVE, SHADOW] if cursor.fetchone()[0] else [LIVE]


def _vectors_sql(using: str) -> tuple[str, list]:
    """The three computed vectors as SQL over a row source aliased `search_document`."""

    query = PgDocument.objects.using(using).annotate(
        v=weighted("body"), l=weighted(Left("body", LEDE_CHARS)), h=head(),
    ).values("v", "l", "h").query
    sql, params = query.sql_with_params()
    select = sql[len("SELECT "):sql.index(' FROM "search_document"')]
    return select.replace(' AS "v"', "").replace(' AS "l"', "").replace(' AS "h"', ""), list(
        params)


def upsert(cursor, table: str, rows: list[tuple], using: str, *, replace: bool = True) -> None:
    """Write these (article_id, title, standfirst, body, published_at, facets text) rows
    with their vectors, replacing existing entries (or, without `replace`, keeping them:
    the rebuild's own writes must not overwrite an entry that a change made during the
    rebuild wrote after the rebuild had read the article)."""
    vectors, vector_params = _vectors_sql(using)
    update = "UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:]) if (
        replace) else "NOTHING"
    cursor.execute(
        f'INSERT INTO "{table}" ({", ".join(COLUMNS)}) '
        f'SELECT article_id, title, standfirst, body, published_at, facets::tsvector, {vectors} '
        f'FROM (SELECT unnest(%s::bigint[]) AS article_id, unnest(%s::text[]) AS title, '
        f'unnest(%s::text[]) AS standfirst, unnest(%s::text[]) AS body, '
        f'unnest(%s::timestamptz[]) AS published_at, unnest(%s::text[]) AS facets) '
        f'AS "search_document" '
        f'ON CONFLICT (article_id) DO {update}',
        [*vector_params, *map(list, zip(*rows))])


def create_shadow(cursor) -> None:
    cursor.execute(f'DROP TABLE IF EXISTS "{SHADOW}"')  # left by an interrupted rebuild
    cursor.execute(f'CREATE TABLE "{SHADOW}" (LIKE "{LIVE}" INCLUDING DEFAULTS)')
    cursor.execute(f'ALTER TABLE "{SHADOW}" ADD CONSTRAINT "{SHADOW}_pkey" '
                   f"PRIMARY KEY (article_id)")


def drop_shadow(using: str) -> None:
    """After a failed rebuild: the live table alone again. Best effort: a rebuild that failed
    because the server went away cannot drop it now, and the next rebuild replaces it."""
    connection = connections[using]
    if connection.in_atomic_block:
        return  # the caller's transaction rolls the new table back with everything else
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{SHADOW}"')
    except Exception as error:  # noqa: BLE001 - the rebuild's own error is the one raised
        log.warning("search reindex: the unfinished table stays until the next rebuild: %s",
                    error)


def fill(batches: Iterable[list[tuple]], using: str, writers: int = WRITERS) -> int:
    """Write `upsert` row batches into the new table over `writers` connections at once; the
    rows written. In this thread alone with one writer, or when the caller holds a transaction
    (a test's): other connections could not see the new table."""
    connection = connections[using]
    written = 0
    if writers <= 1 or connection.in_atomic_block:
        for rows in batches:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                upsert(cursor, SHADOW, rows, using, replace=False)
            written += len(rows)
        return written
    work: queue.Queue = queue.Queue(maxsize=2 * writers)  # memory: a few batches, not the file
    failed: list[BaseException] = []

    def write() -> None:
        try:
            while (rows := work.get()) is not None:
                if not failed:
                    with transaction.atomic(using=using), connections[using].cursor() as cursor:
                        upsert(cursor, SHADOW, rows, using, replace=False)
        except BaseException as error:  # noqa: BLE001 - handed to the reading thread
            failed.append(error)
            while work.get() is not None:  # keep taking, so the reader never blocks
                pass
        finally:
            connections[using].close()

    threads = [threading.Thread(target=write, name=f"search-fill-{n}", daemon=True)
               for n in range(writers)]
    for thread in threads:
        thread.start()
    try:
        for rows in batches:
            if failed:
                break
            work.put(rows)
            written += len(rows)
    finally:
        for _ in threads:
            work.put(None)
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
    return written


def _live_indexes(cursor) -> list[tuple[str, str]]:
    """The live table's indexes that a rebuild builds again: not its primary key, and not
    a retired index, which a rebuild drops with the old table."""
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                   "AND indexname <> ALL(%s) ORDER BY indexname",
                   [LIVE, [f"{LIVE}_pkey", *RETIRED]])
    return cursor.fetchall()


def _build(cursor, name: str, definition: str) -> None:
    """One live index, built over the new table with the statistics target it carries (the
    pairs index has none: see migration 0004)."""
    new = definition.replace(f"INDEX {name} ON", f"INDEX {name}_rebuild ON", 1)
    cursor.execute(new.replace(f" ON public.{LIVE} ", f" ON public.{SHADOW} ", 1))
    cursor.execute("SELECT attnum, attstattarget FROM pg_attribute WHERE attrelid = "
                   "%s::regclass AND attstattarget >= 0", [name])
    for attnum, target in cursor.fetchall():
        cursor.execute(f'ALTER INDEX "{name}_rebuild" ALTER COLUMN {attnum} '
                       f"SET STATISTICS {int(target)}")


def lanes(cursor, count: int) -> list[list[tuple[str, str]]]:
    """The live indexes dealt into `count` lanes of about equal work, the costliest first to
    the least loaded lane. An index's size stands for its build time, except that each part
    of the phrase-pairs index counts as at least all the others together (at a million
    articles a part took longer than the other three indexes: docs/performance.md), so
    the parts get lanes of their own even where the live parts are small or new."""
    cursor.execute("SELECT indexname, pg_relation_size(format('%%I', indexname)::regclass) "
                   "FROM pg_indexes WHERE tablename = %s", [LIVE])
    sizes = dict(cursor.fetchall())
    indexes = _live_indexes(cursor)
    others = sum(sizes.get(name, 0) for name, definition in indexes
                 if "search_phrase_pairs(" not in definition)

    def cost(index: tuple[str, str]) -> int:
        size = sizes.get(index[0], 0) + 1
        return max(size, others + 1) if "search_phrase_pairs(" in index[1] else size

    dealt: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    load = [0] * count
    for index in sorted(indexes, key=cost, reverse=True):
        lane = load.index(min(load))
        dealt[lane].append(index)
        load[lane] += cost(index)
    return [lane for lane in dealt if lane]


def build_indexes(using: str, writers: int | None = None) -> None:
    """The live table's indexes, built once over the filled table, over `writers`
    connections at once (PostgreSQL 15 builds one GIN index on one core), then ANALYZE.
    On this connection alone inside the caller's transaction (a test's), as `fill`."""
    connection, writers = connections[using], writers or WRITERS
    with connection.cursor() as cursor:
        work = lanes(cursor, 1 if writers <= 1 or connection.in_atomic_block else writers)
    failed: list[BaseException] = []

    def build(indexes: list[tuple[str, str]]) -> None:
        try:
            with connections[using].cursor() as cursor:
                # A GIN build sorts its entries in this much memory (migration 0004).
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for name, definition in indexes:
                    if failed:  # the other lane failed: the rebuild is lost anyway
                        break
                    _build(cursor, name, definition)
                cursor.execute("RESET maintenance_work_mem")
        except BaseException as error:  # noqa: BLE001 - raised in the calling thread
            failed.append(error)
        finally:
            if len(work) > 1:
                connections[using].close()

    if len(work) == 1:
        build(work[0])
    else:
        threads = [threading.Thread(target=build, args=(lane,), name=f"search-index-{n}",
                                    daemon=True) for n, lane in enumerate(work)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{SHADOW}"')


def swap(using: str) -> None:
    """Drop the live table and rename the new one into its place, in one transaction that
    holds its lock briefly; retried if the running searches do not let it in quickly."""
    connection = connections[using]
    for attempt in range(SWAP_ATTEMPTS):
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                names = [name for name, _ in _live_indexes(cursor)]
                cursor.execute(f'DROP TABLE "{LIVE}"')
                cursor.execute(f'ALTER TABLE "{SHADOW}" RENAME TO "{LIVE}"')
                cursor.execute(f'ALTER TABLE "{LIVE}" RENAME CONSTRAINT "{SHADOW}_pkey" '
                               f'TO "{LIVE}_pkey"')
                for name in names:
                    cursor.execute(f'ALTER INDEX "{name}_rebuild" RENAME TO "{name}"')
                # NOT VALID: no scan under the lock. From here deletes cascade; the entries
                # of articles deleted before it are removed next, then it is validated.
                cursor.execute(
                    f'ALTER TABLE "{LIVE}" ADD CONSTRAINT "{LIVE}_article_id_fkey" '
                    f"FOREIGN KEY (article_id) REFERENCES articles_article(id) "
                    f"ON DELETE CASCADE NOT VALID")
                cursor.execute(f'DELETE FROM "{LIVE}" d WHERE NOT EXISTS '
                               f"(SELECT 1 FROM articles_article a WHERE a.id = d.article_id)")
            break
        except Exception as error:  # lock_timeout: searches held the table; try again
            if "lock timeout" not in str(error) or attempt == SWAP_ATTEMPTS - 1:
                raise
            time.sleep(1 + attempt)
    with connection.cursor() as cursor:  # a scan that blocks neither reads nor writes
        cursor.execute(f'ALTER TABLE "{LIVE}" VALIDATE CONSTRAINT "{LIVE}_article_id_fkey"')
