"""`search reindex` builds a new index beside the live one and swaps it in (issue 20): readers
keep getting results meanwhile, and what changes during the rebuild is in the new index."""

from __future__ import annotations

import pytest
from django.db import connection

from masthead.articles import services as articles
from masthead.search.backends import get_backend
from masthead.search.services import rebuild_index, search

pytestmark = pytest.mark.django_db


def found(raw: str) -> set[int]:
    return {r.article.pk for r in search(raw).results}


def test_searches_answer_during_a_rebuild_and_changes_made_meanwhile_are_kept(
        publish, committed):
    kept = publish("Zeppelin over the bay", body="A zeppelin was seen over the bay.")
    withdrawn = publish("Zeppelin lands", body="The zeppelin landed at noon.")
    during = {}

    def progress(stream, total):
        for n, document in enumerate(stream):
            if n == 0:  # the rebuild has started, its new table is being filled
                during["found"] = found("zeppelin")
                during["new"] = publish("Zeppelin again", body="Another zeppelin flew by.")
                with committed():  # an edit of a story the rebuild has already read
                    kept.body = "A zeppelin and an airship were seen over the bay."
                    articles.save_article(kept)
                with committed():
                    articles.unpublish_article(withdrawn)
                during["after_changes"] = found("zeppelin")
            yield document

    rebuild_index(progress=progress)
    assert during["found"] == {kept.pk, withdrawn.pk}  # the old index kept answering
    assert during["after_changes"] == {kept.pk, during["new"].pk}
    # The new index has the story published meanwhile (which the rebuild's stream never
    # read) and not the one withdrawn after its chunk was read.
    assert found("zeppelin") == {kept.pk, during["new"].pk}
    assert get_backend().indexed_ids() == {kept.pk, during["new"].pk}
    assert found("airship") == {kept.pk}  # the edit, not the text the rebuild had read


def test_a_rebuild_left_unfinished_is_replaced_by_the_next(publish):
    article = publish("Zeppelin over the bay", body="A zeppelin was seen.")

    def interrupted(stream, total):
        yield next(iter(stream))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild_index(progress=interrupted)
    assert found("zeppelin") == {article.pk}  # the live index is untouched
    assert rebuild_index() == 1
    assert found("zeppelin") == {article.pk}


def test_postgres_entries_written_in_one_statement_hold_the_vectors_of_their_text(publish):
    if connection.vendor != "postgresql":
        pytest.skip("the vectors are PostgreSQL's; SQLite's FTS5 tokenizes its own text")
    from django.db.models.functions import Left

    from masthead.search.backends.postgres_vectors import LEDE_CHARS
    from masthead.search.backends.postgres_vectors import head as _head
    from masthead.search.backends.postgres_vectors import weighted as _weighted
    from masthead.search.models import PgDocument

    publish("Zeppelin over the bay", body="A zeppelin was seen over the bay. " * 40,
            standfirst="Crowds gathered on the pier")
    rebuild_index()
    publish("Harbour news", body="The harbour reopened.")  # written by index(), not rebuild
    rows = PgDocument.objects.annotate(
        v=_weighted("body"), l=_weighted(Left("body", LEDE_CHARS)), h=_head(),
    ).values_list("vector", "v", "lede_vector", "l", "head_vector", "h")
    assert len(rows) == 2
    for vector, v, lede, lede_expected, head, head_expected in rows:
        assert (vector, lede, head) == (v, lede_expected, head_expected)
        assert "zeppelin" in vector or "harbour" in vector


def test_sqlite_drops_the_old_table_in_steps_and_leaves_no_table_behind(publish, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("FTS5's tables are SQLite's")
    from masthead.search.backends import sqlite_fts5

    monkeypatch.setattr(sqlite_fts5, "DROP_ROWS", 1)  # every row its own step
    stories = {publish(f"Zeppelin {n}", body="A zeppelin flew by.").pk for n in range(4)}
    rebuild_index()
    rebuild_index()  # the second drops a table the first built
    assert found("zeppelin") == stories
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_fts%' "
                       "AND name NOT LIKE 'search_fts\\_%' ESCAPE '\\'")
        assert [row[0] for row in cursor.fetchall()] == ["search_fts"]
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'search_fts_re%'")
        assert cursor.fetchone()[0] == 0
