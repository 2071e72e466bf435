"""Filters are matched inside the index: the filter terms, kept true as articles change, and
used by each engine without a look-up of every match in the articles table."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.search import facets
from masthead.search.documents import documents
from masthead.search.query import parse
from masthead.search.services import SearchFilters, search

pytestmark = pytest.mark.django_db


def hits(raw, **filters) -> list[int]:
    return [r.article.pk for r in search(raw, SearchFilters(**filters)).results]


def _days(term: str) -> tuple[dt.date, dt.date]:
    kind, digits = term[0], term[1:]
    if kind == "c":
        return dt.date(int(digits) * 10, 1, 1), dt.date(int(digits) * 10 + 9, 12, 31)
    if kind == "y":
        return dt.date(int(digits), 1, 1), dt.date(int(digits), 12, 31)
    if kind == "m":
        first = dt.date(int(digits[:4]), int(digits[4:]), 1)
        return first, facets._end_of_month(first)
    day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    return day, day


def test_a_date_cover_holds_exactly_the_days_of_the_range():
    rng = random.Random(7)
    for _ in range(300):
        start = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(12_000))
        end = start + dt.timedelta(days=rng.choice([0, 1, 30, 400, rng.randrange(9_000)]))
        cover = facets.date_cover(start, end)
        spans = sorted(_days(t) for t in cover)
        assert spans[0][0] == start and spans[-1][1] == end
        for (_, before), (after, _) in zip(spans, spans[1:]):
            assert after == before + dt.timedelta(days=1)  # no gap, no overlap
        assert len(cover) <= 2 * (31 + 12 + 10) + (end.year - start.year) // 10 + 1
    assert facets.date_cover(dt.date(2020, 1, 1), dt.date(2029, 12, 31)) == ["c202"]
    assert facets.date_cover(dt.date(2024, 2, 1), dt.date(2024, 3, 1)) == ["m202402",
                                                                          "d20240301"]


def test_each_article_day_has_one_term_per_level_that_covers_match():
    day = dt.date(2026, 1, 15)
    assert facets.day_terms(day) == ["c202", "y2026", "m202601", "d20260115"]
    assert set(facets.day_terms(day)) & set(facets.date_cover(dt.date(2025, 12, 30), day))


def test_moving_an_article_moves_it_between_filtered_searches(publish, committed):
    article = publish("Harbour ibex", body="ibex", section="World", tags=("Alps",),
                      authors=("Ada",))
    assert hits("ibex", section="world") == [article.pk]
    article.section = articles.get_or_create_section("Science")
    with committed():
        articles.save_article(article, tags=["Zoo"], authors=[
            articles.get_or_create_author("Bo")])
    assert hits("ibex", section="world") == []
    assert hits("ibex", section="science") == [article.pk]
    assert hits("ibex", tag="alps") == [] and hits("ibex", tag="zoo") == [article.pk]
    assert hits("ibex", author="ada") == [] and hits("ibex", author="bo") == [article.pk]


def test_a_new_publication_date_moves_an_article_between_date_searches(publish, committed):
    old = timezone.now() - dt.timedelta(days=400)
    article = publish("Harbour ibex", body="ibex", published_at=old)
    day = timezone.localdate(old)
    assert hits("ibex", date_from=day, date_to=day) == [article.pk]
    article.published_at = timezone.now() - dt.timedelta(hours=2)
    with committed():
        articles.save_article(article)
    assert hits("ibex", date_from=day, date_to=day) == []
    assert hits("ibex", date_from=timezone.localdate() - dt.timedelta(days=1)) == [article.pk]


def test_open_ended_date_filters_keep_either_side(publish):
    old = publish("Old ibex", body="ibex", published_at=timezone.now() - dt.timedelta(days=90))
    new = publish("New ibex", body="ibex")
    cut = timezone.localdate() - dt.timedelta(days=30)
    assert hits("ibex", date_to=cut) == [old.pk]
    assert hits("ibex", date_from=cut) == [new.pk]
    assert hits("ibex", date_from=timezone.localdate() + dt.timedelta(days=3)) == []
    assert sorted(hits("ibex", date_to=timezone.localdate() + dt.timedelta(days=3))) == sorted(
        [old.pk, new.pk])


def test_a_filter_term_typed_as_a_word_finds_nothing(publish):
    article = publish("Harbour ibex", body="ibex", section="World")
    assert hits(f"s{article.section_id}") == []
    assert hits(f"y{timezone.localdate().year}") == []


def test_an_article_moved_behind_the_index_back_is_not_shown_and_is_repaired(publish):
    article = publish("Harbour ibex", body="ibex", section="World")
    science = articles.get_or_create_section("Science")
    Article.objects.filter(pk=article.pk).update(section=science)  # no signal
    page = search("ibex", SearchFilters(section="world"))
    assert page.results == []
    assert hits("ibex", section="science") == [article.pk]  # repaired on the spot


@pytest.mark.parametrize("filters", [{"section": "world"}, {"tag": "alps"},
                                     {"author": "ada"}, {"date_from": dt.date(2000, 1, 1)}])
def test_filtered_searches_ask_only_the_index_then_load_the_page(publish, filters):
    article = publish("Harbour ibex", body="ibex", section="World", tags=("Alps",),
                      authors=("Ada",))
    with CaptureQueriesContext(connection) as captured:
        assert hits("ibex", **filters) == [article.pk]
    engine = [q["sql"] for q in captured.captured_queries
              if "search_fts" in q["sql"] or "search_document" in q["sql"]]
    assert engine, "the engine was not asked"
    assert not [sql for sql in engine if "articles_" in sql]  # no join with the articles
    assert [sql for sql in engine if "facets" in sql]  # matched on the index's filter terms


def test_the_backends_match_filter_terms_and_nothing_else(backend, make_article):
    # Published now: make_article's default date goes back a minute per article the whole run
    # has made, which after ~1,400 of them is before yesterday (the date filter below).
    now = timezone.now()
    world = make_article("World marmalade", body="marmalade", section="World", published_at=now)
    science = make_article("Science marmalade", body="marmalade", section="Science",
                           published_at=now)
    backend.index(documents(Article.objects.filter(pk__in=[world.pk, science.pk])))
    only_world = facets.FilterTerms(required=(facets.section_term(world.section_id),))
    page = backend.search(parse("marmalade"), None, offset=0, limit=10, cap=100,
                          terms=only_world)
    assert [h.article_id for h in page.hits] == [world.pk]
    assert backend.count(parse("marmalade"), None, 100, only_world) == 1
    not_today = facets.FilterTerms(none_of=tuple(facets.date_cover(
        timezone.localdate() - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(1))))
    assert backend.count(parse("marmalade"), None, 100, not_today) == 0
    nothing = facets.FilterTerms(impossible=True)
    assert backend.search(parse("marmalade"), None, offset=0, limit=10, cap=100,
                          terms=nothing).hits == []
