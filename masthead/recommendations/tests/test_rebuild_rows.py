"""The rebuild's row-level paths give what the model-instance paths gave (issue 20, item 4).

`documents.all_docs` / `docs_for` read rows of values plus a query a chunk for tags and
bylines instead of model instances with prefetches; `lists.write` stores its rows with one
prepared INSERT instead of `bulk_create`. Both are compared with the old way on a small site:
sections, no section, several tags and bylines, an HTML body, a standfirst, drafts.
"""

from __future__ import annotations

import pytest

from masthead.articles.models import Article, Byline
from masthead.core.html import html_to_text
from masthead.recommendations import documents, lists, services, state
from masthead.recommendations.engines import Doc
from masthead.recommendations.models import RelatedArticle, RelatedOverride
from masthead.recommendations.tests.test_services import STORIES, story_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(make_article):
    made = []
    for i, story in enumerate(STORIES):
        for n in range(1, 4):
            headline, body = story_text(story, n)
            made.append(make_article(
                headline, body=f"{body}\n\n* a **list** item &amp; more\n\n> quoted  words",
                section=None if n == 3 else f"Section {i}",
                tags=[f"tag {story}", "Zeta", "alpha"][: n + 1],
                authors=["Ruth Byline", "Abel Second"][:n],
                standfirst="A standfirst." if n == 2 else "",
            ))
    make_article("A draft", status="draft")
    return made


def to_doc(article: Article) -> Doc:
    """One article's Doc from its model instance: the rebuild's former reading."""
    body = html_to_text(article.body_html)
    if article.standfirst:
        body = f"{article.standfirst}\n\n{body}"
    return Doc(
        key=documents.engine_key(article.pk),
        title=article.headline,
        body=body,
        section=article.section.name if article.section_id else "",
        tags=tuple(t.name for t in article.tags.all()),
        authors=tuple(b.author.name for b in sorted(article.bylines.all(),
                                                    key=lambda b: b.position)),
        published_at=article.published_at,
    )


def old_docs():
    """The former `all_docs`: instances with their section, tags and bylines prefetched."""
    from django.db.models import Prefetch

    queryset = documents.candidates().select_related("section").prefetch_related(
        "tags", Prefetch("bylines", queryset=Byline.objects.select_related("author")),
    ).order_by("-published_at", "-id")
    return [to_doc(a) for a in queryset]


def test_all_docs_equal_the_model_instance_path(site, monkeypatch):
    monkeypatch.setattr(documents, "CHUNK", 4)  # several chunks, the last one partial
    docs = list(documents.all_docs())
    assert docs == old_docs()
    assert len(docs) == len(site)
    assert {d.section for d in docs} >= {"", "Section 0"}
    assert any(len(d.authors) == 2 and len(d.tags) == 3 for d in docs)


def test_docs_for_equal_the_model_instance_path(site):
    draft = Article.objects.get(headline="A draft")
    found = documents.docs_for([a.pk for a in site] + [draft.pk])
    assert draft.pk not in found
    assert list(found.values()) == sorted(old_docs(), key=lambda d: int(d.key))


def test_stored_rows_equal_what_the_engine_lists(site):
    services.rebuild()
    pinned, excluded = site[8], site[1]
    RelatedOverride.objects.create(article=site[0], related=pinned, kind="pin")
    RelatedOverride.objects.create(article=site[0], related=excluded, kind="exclude")
    engine = state.current(services.EngineState.objects.get(pk=1))
    lists.write(engine, [a.pk for a in site])
    n = lists.page_size()
    for article in site:
        rows = list(RelatedArticle.objects.filter(article=article).order_by("rank"))
        skip = [documents.engine_key(excluded.pk), documents.engine_key(pinned.pk)] \
            if article == site[0] else []
        want = engine.related(documents.engine_key(article.pk),
                              n + lists.SPARE - (article == site[0]), exclude=skip)
        expected = [(r.key, False, r.score, r.explanation.as_dict()) for r in want]
        if article == site[0]:
            expected.insert(0, (str(pinned.pk), True, None, {}))
        got = [(str(r.related_id), r.pinned, r.score, r.explanation) for r in rows]
        assert got == expected
        assert [r.rank for r in rows] == list(range(len(rows)))


def test_known_visible_ids_store_the_same_rows_as_asking_the_database(site):
    services.rebuild()
    RelatedOverride.objects.create(article=site[0], related=site[8], kind="pin")
    engine = state.current(services.EngineState.objects.get(pk=1))
    Article.objects.filter(pk=site[5].pk).update(status="draft")  # behind the engine's back
    ids = [a.pk for a in site]

    def rows():
        return list(RelatedArticle.objects.order_by("article_id", "rank").values_list(
            "article_id", "related_id", "rank", "pinned", "score", "explanation"))

    asked = lists.write(engine, ids)
    by_asking = rows()
    assert not any(site[5].pk in row[:2] for row in by_asking)
    visible = set(documents.candidates().values_list("pk", flat=True))
    assert lists.write(engine, ids, visible=visible) == set()
    assert rows() == by_asking and asked


def test_candidates_among_are_the_visible_stories_looked_up_by_id(site, make_article):
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    page = make_article("A page", kind=Article.Kind.PAGE)
    due = make_article("Due tomorrow", status="scheduled",
                       published_at=timezone.now() + timedelta(days=1))
    draft = Article.objects.get(headline="A draft")
    ids = [site[0].pk, site[4].pk, page.pk, due.pk, draft.pk, 10**9]
    found = documents.candidates_among(ids)
    assert set(found.values_list("pk", flat=True)) == set(
        documents.candidates().filter(pk__in=ids).values_list("pk", flat=True)
    ) == {site[0].pk, site[4].pk}
    assert set(documents.docs_for(ids)) == {site[0].pk, site[4].pk}
    if connection.vendor == "sqlite":
        # A fresh site has no ANALYZE statistics (a test database neither): the ids must be
        # looked up by key, not found by walking an index of every story (1M: 128 ms a query).
        sql, params = found.values_list("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[-1] for row in cursor.fetchall()]
        assert plan[0].startswith("SEARCH articles_article USING INTEGER PRIMARY KEY"), plan


def test_dropping_invisible_lists_is_an_anti_join(site, make_article):
    """At 1M on PostgreSQL, `NOT IN (a million visible ids)` did not fit `work_mem` and was
    re-read for every one of the 8M list rows; NOT EXISTS plans as an anti-join."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from masthead.articles import services as articles
    from masthead.recommendations.models import RelatedArticle

    services.ensure_built()
    gone = site[0]
    assert RelatedArticle.objects.filter(article=gone).exists()
    articles.unpublish_article(gone)
    with CaptureQueriesContext(connection) as queries:
        lists.drop_invisible()
    assert not RelatedArticle.objects.filter(article=gone).exists()
    assert RelatedArticle.objects.filter(article=site[1]).exists()
    delete = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(delete) == 1 and "NOT IN" not in delete[0].upper()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64kB'")  # as a million ids would be
            cursor.execute("EXPLAIN " + delete[0])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Anti Join" in plan and "SubPlan" not in plan, plan


def test_forked_workers_store_the_same_rows_as_one_process(site, monkeypatch, settings):
    """A full rebuild's lists computed in forked workers (`core.forked`) are the rows and
    changed ids of one process: pins, exclusions, an article hidden behind the engine's back,
    many chunks, a first build and a rewrite."""
    services.rebuild()
    RelatedOverride.objects.create(article=site[0], related=site[8], kind="pin")
    RelatedOverride.objects.create(article=site[0], related=site[1], kind="exclude")
    RelatedOverride.objects.create(article=site[4], related=site[2], kind="pin")
    engine = state.current(services.EngineState.objects.get(pk=1))
    Article.objects.filter(pk=site[5].pk).update(status="draft")
    ids = [a.pk for a in site]
    visible = set(documents.candidates().values_list("pk", flat=True))
    monkeypatch.setattr(lists, "CHUNK", 4)
    monkeypatch.setattr(lists, "PARALLEL_MIN", 1)

    def written(processes: int):
        settings.MASTHEAD_RELATED_PROCESSES = processes
        RelatedArticle.objects.all().delete()
        first = lists.write(engine, ids, visible=visible)
        rows = list(RelatedArticle.objects.order_by("article_id", "rank").values_list(
            "article_id", "related_id", "rank", "pinned", "score", "explanation"))
        again = lists.write(engine, ids, visible=visible)
        assert list(RelatedArticle.objects.order_by("article_id", "rank").values_list(
            "article_id", "related_id", "rank", "pinned", "score", "explanation")) == rows
        return first, rows, again

    one, forked = written(1), written(2)
    assert forked == one
    first, rows, again = one
    assert first and again == set() and rows
    assert {(site[4].pk, site[2].pk, 0, True)} <= {row[:4] for row in rows}
    assert not any(site[5].pk in row[:2] for row in rows)
