"""Planner statistics: ANALYZE when a table has outgrown what the planner knows of it.

SQLite plans by the statistics `ANALYZE` leaves in `sqlite_stat1` and never runs ANALYZE by
itself: a site bulk-imported to 1M articles had none, and queries that are one index seek with
statistics became walks of an index of every story without them (a related update 340-600
ms, the article page's fallback list 1,021 ms; issue 20). PostgreSQL's autovacuum analyzes a
table once 10 % of it has changed, a bulk import included, within a minute of the commit, and
is left to do so (`stale_tables()` is empty there); but where an operator turned it off (this
project's CI machines run so), nothing would, and the rule below applies with the counts of
the last ANALYZE (`pg_class.reltuples`).

A table is *stale* when it holds at least MIN_ROWS rows and its statistics count fewer than
1/GROWTH of them, or none. The rows are bounded first by the largest key (one index seek) and
counted only when that bound says stale, so deleted rows cannot make a table look stale for
ever; GROWTH is an order of magnitude because a sampled ANALYZE estimates a table's rows to
within a factor of about three (10k articles: 3,402-10,824), and because what the planner
compares is selectivity, which a grown archive mostly keeps.

`refresh_stale()` analyzes the database when any table is stale: sampled (`PRAGMA
analysis_limit`, ANALYSIS_LIMIT rows an index; PostgreSQL's ANALYZE of a stale table
always samples, and lets writers on) from the hourly sweep every job worker runs
(settings.MASTHEAD_BACKGROUND_JOBS), because ANALYZE holds SQLite's write lock while it runs;
whole after a bulk import commits (importers), whose own transaction held it far longer
(38.6 s at 1M). Several workers may run it at once: the last one's statistics win.
"""

from __future__ import annotations

import logging
import time

from django.apps import apps
from django.db import connections, models

log = logging.getLogger("masthead.core")

MIN_ROWS = 1_000
GROWTH = 10.0
ANALYSIS_LIMIT = 1_000


def _tables() -> dict[str, str | None]:
    """Every table of ours: {table: its integer key column, or None for another key}. A table
    keyed otherwise is counted whole each time (no key bounds its rows): the page cache's
    purge stamps, keyed by page key, reach a row per article after a related rebuild, and a
    PostgreSQL without autovacuum that never counted them scanned all of them to prune old
    ones (1M: 46-55 ms of every publication's update; docs/recommendations.md)."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            integer = isinstance(meta.pk, models.AutoField | models.BigAutoField
                                 | models.SmallAutoField)
            found[meta.db_table] = meta.pk.column if integer else None
    return found


def _sqlite_known_rows(cursor) -> dict[str, int]:
    if not cursor.execute("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").fetchone():
        return {}
    known: dict[str, int] = {}
    # stat is "rows avg-per-prefix…" for an index, or just "rows" for a table without one.
    for table, stat in cursor.execute("SELECT tbl, stat FROM sqlite_stat1").fetchall():
        rows = int(str(stat).split()[0])
        known[table] = max(known.get(table, 0), rows)
    return known


def _postgres_known_rows(cursor, tables) -> dict[str, int] | None:
    """reltuples as the last ANALYZE or VACUUM counted (-1: neither ran); None when autovacuum
    keeps them."""
    cursor.execute("SHOW autovacuum")
    if cursor.fetchone()[0] == "on":
        return None
    cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' "
                   "AND relnamespace = to_regnamespace(current_schema()) AND relname = ANY(%s)",
                   [list(tables)])
    return {table: max(int(rows), 0) for table, rows in cursor.fetchall()}


def _scalar(cursor, sql: str):
    cursor.execute(sql)
    return cursor.fetchone()[0]


def stale_tables(using: str = "default") -> list[str]:
    """The tables whose statistics count under 1/GROWTH of their rows (or none), largest first."""
    connection = connections[using]
    qn = connection.ops.quote_name
    tables = _tables()
    existing = set(connection.introspection.table_names())
    stale = []
    with connection.cursor() as cursor:
        known = (_sqlite_known_rows(cursor) if connection.vendor == "sqlite"
                 else _postgres_known_rows(cursor, tables))
        if known is None:
            return []
        for table, key in tables.items():
            if table not in existing:
                continue
            if key is not None:
                bound = _scalar(cursor, f"SELECT MAX({qn(key)}) FROM {qn(table)}")
                if (bound or 0) < MIN_ROWS or known.get(table, 0) * GROWTH >= bound:
                    continue
            rows = _scalar(cursor, f"SELECT COUNT(*) FROM {qn(table)}")
            if rows >= MIN_ROWS and known.get(table, 0) * GROWTH < rows:
                stale.append((rows, table))
    return [table for _, table in sorted(stale, reverse=True)]


def refresh_stale(using: str = "default", *, sample: bool = True) -> list[str]:
    """Analyze what is stale; the tables that were, for the caller to report.

    `sample=False` reads every index whole on SQLite, for exact statistics (after a bulk
    import)."""
    stale = stale_tables(using)
    if not stale:
        return []
    connection = connections[using]
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Every table and index: statistics of one table alone would still leave the
            # planner comparing it with tables it knows nothing of.
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT if sample else 0}")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA analysis_limit=0")
        else:
            for table in stale:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    log.info("planner statistics refreshed for %s in %.2f s", ", ".join(stale),
             time.monotonic() - started)
    return stale
