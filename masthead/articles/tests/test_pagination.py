"""Keyset pagination (issue 20): cursor pages are exactly the OFFSET pages, in both directions."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.articles import pagination
from masthead.articles.models import Article, Section
from masthead.articles.pagination import decode_key, encode_key, listing_page

BASE = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


class Rollback(Exception):
    pass


def _offset_pages(queryset, size: int) -> list[list[int]]:
    ids = list(queryset.order_by("-published_at", "-id").values_list("pk", flat=True))
    return [ids[i:i + size] for i in range(0, len(ids), size)] or [[]]


def _walk(queryset, size: int) -> tuple[list[list[int]], list[list[int]]]:
    """Pages reached by following "Older" links from page 1, then "Newer" links back."""
    forward = [listing_page(queryset, {}, size)]
    while forward[-1].has_next:
        query = dict(part.split("=") for part in forward[-1].next_query[1:].split("&"))
        forward.append(listing_page(queryset, query, size))
    backward = [forward[-1]]
    while backward[-1].has_previous:
        query = dict(part.split("=") for part in backward[-1].previous_query[1:].split("&"))
        backward.append(listing_page(queryset, query, size))
    return [p.object_list for p in forward], [p.object_list for p in reversed(backward)]


# Few distinct minutes, so that many stories share a publication time: the id settles ties.
stories = st.lists(st.tuples(st.integers(0, 6), st.sampled_from(["a", "b"]),
                             st.sampled_from(["published", "published", "draft"])),
                   max_size=30)


@pytest.fixture(autouse=True)
def _anchor_every_other_page(monkeypatch):
    monkeypatch.setattr(pagination, "ANCHOR_EVERY", 2)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=stories, size=st.integers(1, 7))
def test_keyset_pages_are_the_offset_pages(rows, size):
    # Anchors every other page, so that small listings exercise them; none from an earlier
    # example (they would be stale: other data under the same listing names).
    cache.clear()
    try:
        with transaction.atomic():
            sections = {s: Section.objects.create(name=s, slug=s) for s in ("a", "b")}
            Article.objects.bulk_create([
                Article(headline=f"Story {i}", slug=f"story-{i}", status=status,
                        published_at=BASE + dt.timedelta(minutes=minute),
                        pub_date=BASE.date(), section=sections[section])
                for i, (minute, section, status) in enumerate(rows)])
            for name, queryset in (("all", Article.objects.published()), (
                    "a", Article.objects.published().filter(section=sections["a"]))):
                expected = _offset_pages(queryset, size)
                forward, backward = _walk(queryset, size)
                assert forward == expected
                assert backward == expected
                for number, page in enumerate(expected, start=1):  # the bare ?page=N path
                    assert listing_page(queryset, {"page": str(number)}, size).object_list == page
                    # ... and through the cached anchors, cold and then warm.
                    for _ in range(2):
                        anchored = listing_page(queryset, {"page": str(number)}, size,
                                                anchor_id=name)
                        assert anchored.object_list == page
                beyond = {"page": str(len(expected) + 1)}
                with pytest.raises(Http404):
                    listing_page(queryset, beyond, size, anchor_id=name)
            raise Rollback
    except Rollback:
        pass


@given(when=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1),
                         timezones=st.just(dt.UTC)), pk=st.integers(1, 10**12))
def test_cursor_keys_round_trip_to_the_microsecond(when, pk):
    assert decode_key(encode_key(when, pk)) == (when, pk)


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", "1e5.3", "12.", ".5", "9" * 18 + ".1", "-" + "9" * 17 + ".1",
                                 "1.-2", "1.2 "])
def test_a_malformed_cursor_is_a_404(bad):
    with pytest.raises(Http404):
        decode_key(bad)


@override_settings(MASTHEAD_PAGE_SIZE=3)
def test_listing_links_carry_cursors_that_reach_the_same_pages_as_page_numbers(
        client, make_article):
    for n in range(8):
        make_article(f"Politics {n:02d}", section="Politics", tags=("Vote",), authors=("Ann",))
    for path in ("/section/politics/", "/tag/vote/", "/author/ann/"):
        def headlines(url):
            response = client.get(url)
            assert response.status_code == 200, url
            doc = lxml.html.fromstring(response.content)
            return doc, [h.text_content().strip() for h in doc.xpath("//main//article//h2")]

        doc, first = headlines(path)
        older = doc.xpath("//a[@rel='next']/@href")[0]
        assert older.startswith("?page=2&older=")
        doc, second = headlines(path + older)
        assert second == headlines(path + "?page=2")[1]
        assert set(first).isdisjoint(second) and len(second) == 3
        doc, third = headlines(path + doc.xpath("//a[@rel='next']/@href")[0])
        assert third == headlines(path + "?page=3")[1] and len(third) == 2
        assert doc.xpath("//a[@rel='next']") == []
        newer = doc.xpath("//a[@rel='prev']/@href")[0]
        assert newer.startswith("?page=2&newer=")
        doc, back = headlines(path + newer)
        assert back == second
        assert doc.xpath("//a[@rel='prev']/@href") == ["?page=1"]
        # A cursor page names its canonical URL by number (crawlers index page numbers only).
        assert doc.xpath("//link[@rel='canonical']/@href")[0].endswith(f"{path}?page=2")
    assert client.get("/section/politics/?page=2&older=nonsense").status_code == 404
    assert client.get("/section/politics/?page=2&newer=1.x").status_code == 404
