"""PostgreSQL's shortcuts give the results of the plain query they replace.

`backends/postgres_page.py` ranks only the matches with a searched word in their headline or
standfirst when it can prove nothing else makes the page, and `search_pairs` narrows the
articles a phrase is checked against (migration 0004). Both must leave every page exactly as
the plain statement gives it: every match ranked by ts_rank on the lede vector, phrases
checked against every article holding their words. These tests compare the two on random
archives, and check that the shortcut is really taken.
"""

from __future__ import annotations

import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.articles.models import Article
from masthead.search.backends.postgres import PostgresBackend, rank_query
from masthead.search.documents import documents
from masthead.search.query import parse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'",
                       reason="PostgreSQL's own shortcuts; SQLite has none of them"),
]

WORDS = ["harbour", "tram", "budget", "council", "ferry", "strike", "vote", "votes", "bridge",
         "mayor", "covid-19", "crane"]
FILLER = ["the", "of", "and", "a", "in", "to", "said", "week", "people", "city", "plans",
          "report", "today", "north", "money", "works", "late", "early", "quiet", "again"]


def _text(rng, size, share):
    """`size` words, each a searched word with probability `share`, else filler."""
    return " ".join(rng.choice(WORDS) if rng.random() < share else rng.choice(FILLER)
                    for _ in range(size))


def _archive(make_article, rng, n=80):
    """Searched words sparse in long bodies (many beyond the lede), commoner in headlines:
    matches that only the body holds compete with matches holding one word up front."""
    for i in range(n):
        make_article(_text(rng, rng.randrange(2, 7), 0.3).capitalize() + f" {i}",
                     standfirst=_text(rng, rng.randrange(0, 8), 0.2),
                     body=_text(rng, rng.randrange(5, 500), rng.choice((0.01, 0.05, 0.2))))
    PostgresBackend().index(documents(Article.objects.all()))


def _plain(raw) -> list[tuple[int, float]]:
    """The statement before the shortcuts: every match ranked, phrases checked one by one."""
    query = parse(raw)
    rank_sql, rank_params = _compile(rank_query(query))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT article_id, ts_rank(lede_vector, {rank_sql}) AS score FROM search_document "
            "WHERE vector @@ websearch_to_tsquery('english'::regconfig, %s) "
            "ORDER BY score DESC, published_at DESC NULLS LAST, article_id DESC",
            [*rank_params, query.text()])
        return cursor.fetchall()


def _compile(expression):
    from django.db.models.sql import Query

    from masthead.search.models import PgDocument

    query = Query(PgDocument)
    return query.get_compiler(connection=connection).compile(
        expression.resolve_expression(query))


QUERIES = ["harbour", "tram", "budget", "vote", "covid", "harbour tram", "budget vote mayor",
           "ferry -strike", '"harbour tram"', '"budget of the council"', '"the vote"',
           '"covid 19"', '"strike and ferry"', "crane bridge -\"the tram\"", '"a the"']


def test_every_page_is_the_page_of_the_plain_statement(make_article):
    backend = PostgresBackend()
    for seed in range(3):
        rng = random.Random(seed)
        Article.objects.all().delete()
        _archive(make_article, rng)
        for raw in QUERIES:
            expected = _plain(raw)
            for limit in (1, 3, 10):
                for offset in range(0, len(expected) + limit, limit):
                    page = backend.search(parse(raw), None, offset=offset, limit=limit,
                                          cap=1000)
                    got = [(h.article_id, h.score) for h in page.hits]
                    want = expected[offset:offset + limit]
                    assert [pk for pk, _ in got] == [pk for pk, _ in want], (raw, seed, offset)
                    assert [s for _, s in got] == pytest.approx([s for _, s in want])
                    assert page.total == (len(expected) if got else page.total)


def test_a_phrase_is_found_wherever_its_words_stand_side_by_side():
    """Every text holding a phrase holds its pairs, whatever the stop words and repeats."""
    rng = random.Random(5)
    vocabulary = ["rail", "fare", "state", "emergency", "bank", "england", "covid-19", "o'brien"]
    with connection.cursor() as cursor:
        for _ in range(300):
            text = " ".join(rng.choice(vocabulary + FILLER) for _ in range(rng.randrange(3, 40)))
            words = text.split()
            start = rng.randrange(len(words) - 1)
            phrase = " ".join(words[start:start + rng.randrange(2, 5)])
            cursor.execute(
                "SELECT v @@ websearch_to_tsquery('english', %s), "
                "       search_pairs(v) @@ search_pairs_query(to_tsvector('english', %s)) "
                "FROM (SELECT to_tsvector('english', %s) AS v) t",
                [f'"{phrase}"', phrase, text])
            holds_phrase, holds_pairs = cursor.fetchone()
            assert holds_pairs or not holds_phrase, (phrase, text)


def _ranked_every_match(plan) -> bool | None:
    """Whether the branch ranking every match ran: it sits under the one-time filter
    `NOT <the fast path is exact>` (None if the plan has no such branch)."""
    if str(plan.get("One-Time Filter", "")).startswith("(NOT"):
        branch = next(p for p in plan["Plans"] if "Subplan Name" not in p)
        return branch["Actual Loops"] > 0
    for child in plan.get("Plans", []):
        found = _ranked_every_match(child)
        if found is not None:
            return found
    return None


def _explain(run):
    with CaptureQueriesContext(connection) as captured:
        run()
    sql = next(q["sql"] for q in captured.captured_queries if "every_match" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def test_a_word_in_many_headlines_ranks_only_those(make_article):
    for i in range(12):
        make_article(f"Harbour news {i}", body="The harbour was busy. " * 3)
    for i in range(30):
        make_article(f"Other news {i}", body="Later the harbour closed.")
    PostgresBackend().index(documents(Article.objects.all()))
    backend = PostgresBackend()

    def run():
        backend.search(parse("harbour"), None, offset=0, limit=10, cap=1000)
    assert _ranked_every_match(_explain(run)) is False
    # A word in no headline: the proof fails and every match is ranked.

    def rare():
        backend.search(parse("closed"), None, offset=0, limit=10, cap=1000)
    assert _ranked_every_match(_explain(rare)) is True


def test_migration_0004_fills_the_head_of_an_existing_index(make_article):
    """An index written before migration 0004 gets its head vectors and pairs from the stored
    text, equal to what indexing writes now, and searches find the same pages."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("masthead.search.migrations.0004_head_and_pairs")
    rng = random.Random(11)
    _archive(make_article, rng, n=30)
    queries = ["harbour", "budget vote", '"harbour tram"', '"strike and ferry"']
    before = {raw: _plain(raw) for raw in queries}
    with connection.cursor() as cursor:
        cursor.execute("SELECT article_id, head_vector::text FROM search_document")
        written = dict(cursor.fetchall())
    with connection.schema_editor() as editor:
        migration.backwards(apps, editor)
        migration.forwards(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT article_id, head_vector::text FROM search_document")
        assert dict(cursor.fetchall()) == written
    assert all(written.values())
    backend = PostgresBackend()
    for raw in queries:
        page = backend.search(parse(raw), None, offset=0, limit=10, cap=1000)
        assert [h.article_id for h in page.hits] == [pk for pk, _ in before[raw][:10]]

