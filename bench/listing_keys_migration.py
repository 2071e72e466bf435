"""Benchmark: the cost of migration articles.0007 (listing keys on the link tables, decision 0007).

    nice -n 19 .venv/bin/python bench/listing_keys_migration.py --articles 1000000

Builds a SQLite archive at migration articles.0006 with set-based INSERTs (N articles: 90%
published stories, 3% scheduled, 5% drafts, 2% standing pages; 2.5 tags and 1.2 bylines an
article), then times `migrate articles 0007` (ALTER TABLE, the backfill, the two indexes, the
triggers), checks every link row against the rule, and times the way back (`migrate articles
0006`) and forward again. The database is a throw-away file in a temporary directory (or
--data-dir). Never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _build(cursor, articles: int) -> None:
    cursor.execute("INSERT INTO articles_tag (name, slug) WITH RECURSIVE n(i) AS "
                   "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
                   "SELECT 'Tag ' || i, 'tag-' || i FROM n")
    cursor.execute("INSERT INTO articles_author (name, slug, bio) WITH RECURSIVE n(i) AS "
                   "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
                   "SELECT 'Author ' || i, 'author-' || i, '' FROM n")
    cursor.execute(f"""
        INSERT INTO articles_article (id, headline, slug, standfirst, body, body_html, word_count,
            kind, status, published_at, pub_date, created_at, updated_at, lead_image_alt,
            lead_image_caption, featured, comments_enabled)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {articles})
        SELECT i, 'Story ' || i, 'story-' || i, '', '', '', 0,
            CASE WHEN i % 50 = 0 THEN 'page' ELSE 'article' END,
            CASE WHEN i % 20 = 1 THEN 'draft' WHEN i % 33 = 2 THEN 'scheduled'
                 ELSE 'published' END,
            strftime('%Y-%m-%d %H:%M:%f', '2026-12-01', '-' || (i * 37) || ' seconds'),
            date('2026-12-01', '-' || (i * 37) || ' seconds'),
            '2020-01-01 00:00:00', '2020-01-01 00:00:00', '', '', 0, 1
        FROM n""")
    cursor.execute(f"""
        INSERT INTO articles_article_tags (article_id, tag_id)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {articles}),
             k(j) AS (VALUES (0), (1), (2))
        SELECT i, (i + j * 67) % 200 + 1 FROM n, k WHERE j < 2 OR i % 2 = 0""")
    cursor.execute(f"""
        INSERT INTO articles_byline (article_id, author_id, position)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {articles}),
             k(j) AS (VALUES (0), (1))
        SELECT i, (i + j * 17) % 50 + 1, j FROM n, k WHERE j = 0 OR i % 5 = 0""")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return round(time.perf_counter() - start, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="listing-keys-"))
    os.environ["MASTHEAD_DATA_DIR"] = str(data_dir)
    os.environ.pop("MASTHEAD_DATABASE_URL", None)  # always a throw-away SQLite file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    quiet = {"verbosity": 0}
    call_command("migrate", **quiet)
    call_command("migrate", "articles", "0006", **quiet)
    with transaction.atomic(), connection.cursor() as cursor:
        build = _timed(lambda: _build(cursor, args.articles))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT (SELECT count(*) FROM articles_article_tags), "
                       "(SELECT count(*) FROM articles_byline)")
        tag_links, bylines = cursor.fetchone()
    forward = _timed(lambda: call_command("migrate", "articles", "0007", **quiet))
    with connection.cursor() as cursor:
        wrong = 0
        for table in ("articles_article_tags", "articles_byline"):
            cursor.execute(
                f"SELECT count(*) FROM {table} l JOIN articles_article a ON a.id = l.article_id "
                "WHERE l.listed_at IS NOT (CASE WHEN a.status IN ('published', 'scheduled') "
                "AND a.kind = 'article' THEN a.published_at END)")
            wrong += cursor.fetchone()[0]
    backward = _timed(lambda: call_command("migrate", "articles", "0006", **quiet))
    again = _timed(lambda: call_command("migrate", "articles", "0007", **quiet))
    print(json.dumps({
        "articles": args.articles, "tag_links": tag_links, "bylines": bylines,
        "build_s": build, "migrate_0007_s": forward, "rows_not_matching_rule": wrong,
        "reverse_to_0006_s": backward, "migrate_0007_again_s": again,
        "database_mb": round((data_dir / "masthead.sqlite3").stat().st_size / 2**20),
    }, indent=1))


if __name__ == "__main__":
    main()
