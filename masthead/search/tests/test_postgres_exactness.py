"""PostgreSQL's shortcuts give the results of the plain query they replace.

`backends/postgres_page.py` ranks only the matches with a searched word in their headline or
standfirst when it can prove nothing else makes the page, and `search_phrase_pairs` narrows
the articles a phrase is checked against (migrations 0004 and 0006). Both must leave every
page exactly as the plain statement gives it: every match ranked by ts_rank on the lede
vector, phrases checked against every article holding their words and, where the phrase has
a stop word between two words, a stop word there too (`_pairs`, written here in Python from
the vectors' positions). These tests compare the two on random archives, and check that the
shortcut is really taken.
"""

from __future__ import annotations

import json
import random
import re

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


def _pairs(cursor, vector_sql: str, params: list) -> set[tuple[str, int, str]]:
    """Each lexeme with the lexeme at the previous occupied position, when that is one or two
    positions back: what `search_phrase_pairs` hashes, computed here without SQL's help."""
    cursor.execute(f"SELECT u.lexeme, u.positions FROM unnest({vector_sql}) u", params)
    at: dict[int, set[str]] = {}
    for lexeme, positions in cursor.fetchall():
        for pos in positions:
            at.setdefault(pos, set()).add(lexeme)
    order = sorted(at)
    return {(before, pos - back, lexeme) for back, pos in zip(order, order[1:])
            if pos - back <= 2 for before in at[back] for lexeme in at[pos]}


def _plain(raw) -> list[tuple[int, float]]:
    """The statement before the shortcuts: every match ranked, phrases checked one by one
    (and their stop words' places, in Python)."""
    query = parse(raw)
    rank_sql, rank_params = _compile(rank_query(query))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT article_id, ts_rank(lede_vector, {rank_sql}) AS score FROM search_document "
            "WHERE vector @@ websearch_to_tsquery('english'::regconfig, %s) "
            "ORDER BY score DESC, published_at DESC NULLS LAST, article_id DESC",
            [*rank_params, query.text()])
        matches = cursor.fetchall()
        wanted = [_pairs(cursor, "to_tsvector('english', %s)", [" ".join(phrase)])
                  for phrase in query.phrases]
        return [(pk, score) for pk, score in matches if all(
            pairs <= _pairs(cursor, "(SELECT vector FROM search_document WHERE article_id = %s)",
                            [pk]) for pairs in wanted)]


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
            assert _holds(cursor, phrase, text), (phrase, text)  # taken from the text


def _holds(cursor, phrase: str, text: str) -> bool:
    """Whether `text` holds the phrase's pairs, by the SQL functions."""
    cursor.execute(
        "SELECT search_phrase_pairs(v) @@ search_phrase_pairs_query(to_tsvector('english', %s)) "
        "FROM (SELECT to_tsvector('english', %s) AS v) t", [phrase, text])
    return cursor.fetchone()[0]


def test_a_stop_word_in_a_phrase_needs_a_stop_word_in_the_text():
    """What PostgreSQL's `state <2> emergency` allows and a reader does not mean."""
    with connection.cursor() as cursor:
        assert _holds(cursor, "state of emergency", "a state of emergency was declared")
        assert _holds(cursor, "state of emergency", "the state in emergency")
        assert not _holds(cursor, "state of emergency", "the state tram emergency")
        assert not _holds(cursor, "state emergency", "the state of emergency")


def test_pairs_hold_where_postgresql_stops_counting_positions():
    """Every word past the 16,383rd shares one position; each still pairs with the word
    before that position, as PostgreSQL's phrase match sees them."""
    text = " ".join(f"w{n}" for n in range(16381)) + " alpha beta gamma delta"
    with connection.cursor() as cursor:
        for phrase in ("w16380 alpha", "alpha beta", "alpha gamma", "alpha delta"):
            cursor.execute("SELECT to_tsvector('english', %s) @@ phraseto_tsquery('english', %s)",
                           [text, phrase])
            assert cursor.fetchone()[0], phrase
            assert _holds(cursor, phrase, text), phrase


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


def test_the_pairs_are_those_written_in_python():
    """The SQL function's keys are exactly the hashed pairs `_pairs` finds, on random texts."""
    rng = random.Random(7)
    with connection.cursor() as cursor:
        for _ in range(100):
            text = _text(rng, rng.randrange(1, 60), 0.3)
            pairs = _pairs(cursor, "to_tsvector('english', %s)", [text])
            cursor.execute(
                "SELECT array(SELECT to_hex(hashtext(k) & 1048575) FROM unnest(%s::text[]) k), "
                "tsvector_to_array(search_phrase_pairs(to_tsvector('english', %s)))",
                [[f"{a} {gap} {b}" for a, gap, b in pairs], text])
            expected, keys = cursor.fetchone()
            assert set(keys) == {*expected, "~"}, text


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



def test_a_phrase_asks_each_part_of_the_pairs_index(make_article):
    """The pairs index is two, by even and odd ids (migration 0006); a phrase's look-up
    scans both, each through its own index."""
    from masthead.search.backends.postgres_pairs import PAIRS_PARTS, pairs_ids

    for i in range(6):
        make_article(f"Harbour tram {i}", body="The harbour tram ran late again. " * 3)
    PostgresBackend().index(documents(Article.objects.all()))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT {pairs_ids('%s')}", ["harbour tram"])
        plan = cursor.fetchone()[0]
        cursor.execute(f"SELECT {pairs_ids('%s')}", ["harbour tram"])
        found = cursor.fetchone()[0]
    text = plan if isinstance(plan, str) else json.dumps(plan)
    assert {f"search_document_phrase_pairs_{part}" for part in range(PAIRS_PARTS)} == set(
        re.findall(r"search_document_phrase_pairs_\d", text))
    assert sorted(found) == sorted(Article.objects.values_list("pk", flat=True))
