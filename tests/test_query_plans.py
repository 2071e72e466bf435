"""Every reader query is planned on an index (issue 20): no full scan of articles or comments.

Each reader page (front, article, section/tag/author listings with numbered, anchored and
cursor pages, feeds, the comments feed, the sitemap index and files, the news sitemap, search
with and without a filter) is fetched with the queries captured; every SELECT that touches
`articles_article` or `comments_comment` is EXPLAINed and the plan must not read either table
whole. A small test site would let a planner scan tables legitimately (a scan of 300 rows *is*
cheapest), so the plans are taken as they would be at size, and cannot pass by accident:

- SQLite: after ANALYZE, the statistics in `sqlite_stat1` are scaled as if each table had
  1,000 times its rows (same selectivities: 1M articles, 5M comments) and reloaded; a plan
  step `SCAN articles_article` without an index is a failure.
- PostgreSQL: after ANALYZE, with `enable_seqscan = off`, the planner uses an index wherever
  one can serve the query, so a `Seq Scan on articles_article` that remains means no index can.

Tag and author listings (page 1, a cursor page, an anchored deep page, the Content API's
numbered pages) read their page's ids
from the link tables' listing indexes (decision 0007): each such query must be one index range
read in order, with no sort step (SQLite: no `USE TEMP B-TREE FOR ORDER BY`; PostgreSQL: no
Sort node, planned with sorts and bitmap scans off, the same reasoning as `enable_seqscan`) and
without articles_article.

The detectors themselves are checked on a query that must scan, and on the former tag query
that must sort (a test that cannot fail is no test). The figures at 1M articles are in docs/performance.md (`bench/scale.py`).
"""

from __future__ import annotations

import datetime as dt
import re

import lxml.etree
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.importers.records import ArticleRecord, CommentRecord
from masthead.importers.services import store_records

BIG_TABLES = ("articles_article", "comments_comment")
LINK_INDEXES = {"articles_article_tags": "articletag_listing", "articles_byline": "byline_listing"}
SQLITE_SORT = re.compile(r"USE TEMP B-TREE FOR (ORDER BY|RIGHT PART OF ORDER BY)")
PG_SORT = re.compile(r"\bSort\b")
LISTING_READ = re.compile(r'FROM "(articles_article_tags|articles_byline)" WHERE .*"listed_at" [<>]')
SQLITE_SCAN = re.compile(r"\bSCAN (articles_article|comments_comment)\b(?! USING)")
PG_SCAN = re.compile(r"Seq Scan on (articles_article|comments_comment)\b")
WORDS = ("harbour council budget strike bridge hospital election storm river festival theatre "
         "museum league transfer vaccine planet satellite energy housing market").split()


def _site(n: int = 240) -> None:
    now = timezone.now()
    records = []
    for i in range(n):
        words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(40)]
        published = now - dt.timedelta(hours=3 * i + 1)
        records.append(ArticleRecord(
            key=f"plan-{i}", title=f"{WORDS[i % len(WORDS)].capitalize()} story {i}",
            body=" ".join(words) + ".\n\n## More\n\n" + " ".join(reversed(words)) + ".",
            section=("World", "Politics", "Business", "Sport")[i % 4],
            tags=[f"Topic {i % 9}", f"Topic {i % 13}"], authors=[f"Reporter {i % 11}"],
            published_at=published,
            comments=[CommentRecord(key=f"c{i}-{c}", author=f"Reader {c}", body="A reply.",
                                    email=f"r{c}@example.org", status="approved",
                                    created_at=published + dt.timedelta(minutes=c + 1))
                      for c in range(i % 6)],
        ))
    store_records(records)


def _analyze_as_if_big() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
            return
        cursor.execute("ANALYZE")
        rows = cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1").fetchall()
        for table, index, stat in rows:
            # "rows avg-per-key-prefix…": multiply the row count and every average above one;
            # a unique prefix (1) stays unique.
            numbers = [int(x) if x.isdigit() else x for x in stat.split()]
            scaled = [str(x * 1000) if isinstance(x, int) and (i == 0 or x > 1) else str(x)
                      for i, x in enumerate(numbers)]
            cursor.execute("UPDATE sqlite_stat1 SET stat = %s WHERE tbl = %s AND idx IS %s",
                           [" ".join(scaled), table, index])
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics just written


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(row[-1] for row in cursor.fetchall())


def _full_scans(plan: str) -> list[str]:
    pattern = PG_SCAN if connection.vendor == "postgresql" else SQLITE_SCAN
    return pattern.findall(plan)


def _sorts(plan: str) -> bool:
    return bool((PG_SORT if connection.vendor == "postgresql" else SQLITE_SORT).search(plan))


def _listing_paths(client) -> list[str]:
    """A tag's and an author's page 1, the pages its Older links lead to, page 3's Newer link,
    and a bare deep page (?page=3: anchored, with an anchor every other page)."""
    def link(path, rel):
        found = re.search(rf'rel="{rel}" href="([^"]+)"', client.get(path).content.decode())
        assert found, (path, rel)
        return path.split("?")[0] + found.group(1).replace("&amp;", "&")

    paths = []
    for base in ("/tag/topic-1/", "/author/reporter-1/"):
        second = link(base, "next")
        third = link(second, "next")
        paths += [base, second, third, link(third, "prev"), base + "?page=3"]
    # The Content API's lists of a tag's and an author's stories, numbered pages.
    paths += [f"/api/v1/articles/?{kind}={slug}&per_page=5&page={page}"
              for kind, slug in (("tag", "topic-1"), ("author", "reporter-1")) for page in (1, 3)]
    return paths


def _reader_paths(client) -> list[str]:
    from masthead.articles.models import Article, Author, Section, Tag

    article = Article.objects.published().filter(external_key="plan-5").get()
    section, tag, author = (Section.objects.get(slug="world"), Tag.objects.get(slug="topic-1"),
                            Author.objects.get(slug="reporter-1"))
    paths = ["/", article.get_absolute_url(), "/feed/", "/feed/atom/", "/feed.json",
             "/comments/feed/", "/news-sitemap.xml", "/search/?q=harbour",
             "/search/?q=council+budget", '/search/?q="harbour council"',
             "/search/?q=harbour&section=world", "/api/v1/articles/",
             "/api/v1/articles/?page=9&per_page=5", "/api/v1/articles/?section=world&page=3",
             "/api/v1/articles/?tag=topic-1&page=2&per_page=5",
             "/api/v1/articles/?author=reporter-1&page=2&per_page=5"]
    for listing in (section, tag, author):
        base = listing.get_absolute_url()
        paths += [base, base + "?page=2", base + "?page=3", base + "feed/"]
        first = client.get(base).content.decode()
        older = re.search(r'rel="next" href="([^"]+)"', first)
        if older:
            paths.append(base + older.group(1).replace("&amp;", "&"))
    index = lxml.etree.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    paths += ["/" + loc.split("/", 3)[3] for loc in index.xpath("//s:loc/text()", namespaces=ns)]
    return paths


@pytest.mark.django_db(transaction=False)
def test_no_reader_query_scans_articles_or_comments_at_size(client, settings):
    settings.MASTHEAD_PAGE_SIZE = 5
    settings.MASTHEAD_SITEMAP_URLS_PER_FILE = 100  # several article sitemap files
    from masthead.articles import pagination
    from masthead.search.services import rebuild_index

    pagination.ANCHOR_EVERY = 2
    try:
        _site()
        rebuild_index()
        _analyze_as_if_big()
        paths = _reader_paths(client)
        explained, failures = 0, []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
                if response.streaming:  # sitemap files read their rows as the body is read
                    b"".join(response.streaming_content)
            assert response.status_code == 200, path
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                if not any(table in sql for table in BIG_TABLES):
                    continue
                explained += 1
                plan = _plan(sql)
                if _full_scans(plan):
                    failures.append(f"{path}: {sql[:300]}\n{plan}")
        assert explained >= len(paths), (explained, paths)
        assert not failures, "\n\n".join(failures)
    finally:
        pagination.ANCHOR_EVERY = 50


@pytest.mark.django_db(transaction=False)
def test_tag_and_author_listings_are_one_index_range_without_a_sort(client, settings):
    settings.MASTHEAD_PAGE_SIZE = 5
    settings.MASTHEAD_PAGE_CACHE = False  # every request renders: its queries are the test
    from masthead.articles import pagination

    pagination.ANCHOR_EVERY = 2
    try:
        _site()
        _analyze_as_if_big()
        for path in _listing_paths(client):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200, path
            reads = [q["sql"] for q in captured.captured_queries
                     if LISTING_READ.search(q["sql"])]
            assert reads, path
            for sql in reads:
                table = next(t for t in LINK_INDEXES if f'FROM "{t}"' in sql)
                assert '"articles_article"' not in sql, (path, sql)
                if connection.vendor == "postgresql":
                    # As enable_seqscan above: a Sort that remains means no index gives the order
                    # (at a few dozen rows a tag, a bitmap scan and a sort is rightly cheaper).
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL enable_sort = off")
                        cursor.execute("SET LOCAL enable_bitmapscan = off")
                plan = _plan(sql)
                # The API's count needs no order: PostgreSQL may count through the plain
                # tag_id index, rightly at a few dozen links a tag. It still must not sort,
                # scan or join.
                if not (connection.vendor == "postgresql" and "COUNT(*)" in sql):
                    assert LINK_INDEXES[table] in plan, (path, sql, plan)
                assert not _sorts(plan), (path, sql, plan)
                assert not _full_scans(plan), (path, sql, plan)
                if connection.vendor == "sqlite":  # one SEARCH step: no other table read
                    assert plan.count("\n") == 0 and plan.startswith("SEARCH"), plan
                else:
                    assert "Join" not in plan and "Nested Loop" not in plan, plan
    finally:
        pagination.ANCHOR_EVERY = 50


@pytest.mark.django_db
def test_the_sort_detector_finds_the_former_tag_listings_sort(settings):
    from masthead.articles.models import Article, Tag

    _site(60)
    _analyze_as_if_big()
    tag = Tag.objects.get(slug="topic-1")
    former = (Article.objects.published().stories().filter(tags=tag)
              .order_by("-published_at", "-pk").values_list("pk")[:6])
    with CaptureQueriesContext(connection) as captured:
        list(former)
    plan = _plan(captured.captured_queries[-1]["sql"])
    assert _sorts(plan), plan


@pytest.mark.django_db
def test_the_scan_detector_finds_a_scan(settings):
    _site(30)
    _analyze_as_if_big()
    plan = _plan("SELECT id FROM articles_article WHERE body LIKE '%harbour%'")
    assert _full_scans(plan) == ["articles_article"], plan
    plan = _plan("SELECT id FROM comments_comment WHERE body = 'A reply.'")
    assert _full_scans(plan) == ["comments_comment"], plan
    assert _full_scans(_plan("SELECT id FROM articles_article WHERE id = 3")) == []
