"""Hits, bypasses, stored headers and conditional GETs, through the real WSGI stack."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from django.utils.http import http_date

pytestmark = pytest.mark.django_db


def test_second_anonymous_get_of_an_article_is_a_hit_with_identical_bytes(wsgi, make_article):
    path = make_article("Harbour reopens").get_absolute_url()
    first = wsgi.get(path)
    second = wsgi.get(path)
    assert (first.status, first.cache) == (200, "MISS")
    assert (second.status, second.cache) == (200, "HIT")
    assert second.body == first.body
    assert "Harbour reopens" in second.text


def test_a_hit_runs_no_database_query(wsgi, make_article, django_assert_num_queries):
    path = make_article().get_absolute_url()
    wsgi.get(path)
    with django_assert_num_queries(0):
        assert wsgi.get(path).cache == "HIT"


def test_hit_replays_cache_control_validators_and_surrogate_keys(wsgi, make_article):
    article = make_article()
    miss = wsgi.get(article.get_absolute_url())
    hit = wsgi.get(article.get_absolute_url())
    for name in ("cache-control", "etag", "last-modified", "surrogate-key", "cache-tag",
                 "content-type", "x-content-type-options", "content-security-policy"):
        assert hit.headers[name] == miss.headers[name], name
    assert "public" in hit.headers["cache-control"]
    assert f"page:{article.pk}" in hit.headers["surrogate-key"].split()
    assert f"page:{article.pk}" in hit.headers["cache-tag"].split(",")
    assert hit.headers["content-length"] == str(len(hit.body))
    assert "set-cookie" not in hit.headers


def test_front_page_and_listings_are_stored_including_page_two(wsgi, make_article, settings):
    settings.MASTHEAD_PAGE_SIZE = 2
    for n in range(3):
        make_article(f"Story {n}", section="Business")
    for path in ("/", "/section/business/", "/section/business/?page=2"):
        assert wsgi.get(path).cache == "MISS", path
        assert wsgi.get(path).cache == "HIT", path
    page_two = wsgi.get("/section/business/?page=2").text
    assert "Story 2" in page_two and "Story 0" not in page_two  # newest first


@pytest.mark.parametrize("query", ["utm_source=x", "page=2&utm_source=x", "page=abc", "q=1"])
def test_unknown_query_strings_bypass_the_cache(wsgi, make_article, query):
    path = make_article().get_absolute_url()
    wsgi.get(path)
    assert wsgi.get(path).cache == "HIT"
    for _ in range(2):
        reply = wsgi.get(f"{path}?{query}")
        assert reply.cache == "BYPASS", query


def test_page_query_is_not_stored_where_the_view_does_not_paginate(wsgi, make_article):
    path = make_article().get_absolute_url()
    assert wsgi.get(path + "?page=7").cache == "BYPASS (query)"
    assert wsgi.get(path + "?page=7").cache == "BYPASS (query)"


@pytest.mark.parametrize("cookie", [
    "sessionid=abc", "masthead_commenter=signed-ids", "messages=flash", "a=1; sessionid=abc",
])
def test_staff_commenter_and_flash_cookies_bypass_a_stored_page(wsgi, make_article, cookie):
    path = make_article("Cookie test").get_absolute_url()
    wsgi.get(path)
    assert wsgi.get(path).cache == "HIT"
    assert wsgi.get(path, Cookie=cookie).cache == "BYPASS"


def test_unrelated_cookies_still_get_the_stored_page(wsgi, make_article):
    path = make_article().get_absolute_url()
    wsgi.get(path)
    assert wsgi.get(path, Cookie="csrftoken=x; xsessionid=1; theme=dark").cache == "HIT"


def test_post_is_never_answered_from_the_cache(wsgi, make_article):
    path = make_article().get_absolute_url()
    wsgi.get(path)
    reply = wsgi.request(path, method="POST", body=b"x=1",
                         content_type="application/x-www-form-urlencoded")
    assert reply.cache != "HIT"
    assert reply.status in (403, 405)


def test_head_hit_sends_the_headers_without_the_body(wsgi, make_article):
    path = make_article().get_absolute_url()
    size = len(wsgi.get(path).body)
    reply = wsgi.request(path, method="HEAD")
    assert (reply.status, reply.cache, reply.body) == (200, "HIT", b"")
    assert reply.headers["content-length"] == str(size)


def test_matching_etag_gets_304_from_the_fast_path(wsgi, make_article):
    path = make_article().get_absolute_url()
    etag = wsgi.get(path).headers["etag"]
    reply = wsgi.get(path, If_None_Match=etag)
    assert (reply.status, reply.cache, reply.body) == (304, "HIT", b"")
    assert reply.headers["etag"] == etag
    assert "public" in reply.headers["cache-control"]
    assert wsgi.get(path, If_None_Match='"something-else"').status == 200


def test_if_modified_since_gets_304_only_when_not_older_than_the_page(wsgi, make_article):
    path = make_article().get_absolute_url()
    last_modified = wsgi.get(path).headers["last-modified"]
    assert wsgi.get(path, If_Modified_Since=last_modified).status == 304
    assert wsgi.get(path, If_Modified_Since=http_date(time.time() - 86400)).status == 200


@override_settings(ROOT_URLCONF="masthead.pagecache.tests.urls")
def test_public_page_not_stored_still_answers_304_from_django(wsgi):
    etag = wsgi.get("/t/keyed/?v=1").headers["etag"]
    reply = wsgi.get("/t/keyed/?v=1", If_None_Match=etag)
    assert (reply.status, reply.cache, reply.body) == (304, "BYPASS", b"")


def test_disallowed_host_is_refused_even_when_the_page_is_stored(wsgi, make_article):
    path = make_article().get_absolute_url()
    wsgi.get(path)
    assert wsgi.get(path, Host="evil.example").status == 400


def test_cache_switched_off_serves_everything_from_django(wsgi, make_article, settings):
    path = make_article().get_absolute_url()
    wsgi.get(path)
    settings.MASTHEAD_PAGE_CACHE = False
    reply = wsgi.get(path)
    assert reply.status == 200
    assert "x-cache" not in reply.headers
    assert reply.headers["surrogate-key"]  # a CDN in front can still purge by key


def test_page_older_than_max_age_is_rendered_again(wsgi, make_article, settings, monkeypatch):
    path = make_article().get_absolute_url()
    wsgi.get(path)
    settings.MASTHEAD_PAGE_CACHE_MAX_AGE = 3600
    assert wsgi.get(path).cache == "HIT"

    class TwoHoursLater:
        @staticmethod
        def time():
            return time.time() + 7200

    monkeypatch.setattr("masthead.pagecache.wsgi.time", TwoHoursLater)
    assert wsgi.get(path).cache == "MISS"


def test_missing_pages_and_drafts_are_not_stored(wsgi, make_article):
    draft = make_article("Secret", status="draft")
    for path in ("/2001/01/01/nothing/", draft.get_absolute_url()):
        assert wsgi.get(path).status == 404
        assert wsgi.get(path).cache != "HIT"


@override_settings(ROOT_URLCONF="masthead.pagecache.tests.urls")
@pytest.mark.parametrize(("path", "reason"), [
    ("/t/csrf/", "sets a cookie"),
    ("/t/cookie/", "sets a cookie"),
    ("/t/vary/", "varies"),
])
def test_responses_with_cookies_or_vary_are_never_stored(wsgi, path, reason):
    first = wsgi.get(path)
    assert first.status == 200
    assert first.cache == f"BYPASS ({reason})"
    assert wsgi.get(path).cache.startswith("BYPASS")


@override_settings(ROOT_URLCONF="masthead.pagecache.tests.urls")
@pytest.mark.parametrize("path", ["/t/private/", "/t/nokeys/"])
def test_private_pages_and_pages_without_surrogate_keys_are_not_stored(wsgi, path):
    assert wsgi.get(path).cache == "BYPASS"
    assert wsgi.get(path).cache == "BYPASS"


@override_settings(ROOT_URLCONF="masthead.pagecache.tests.urls")
def test_csrf_token_page_gets_vary_cookie_which_is_why_it_is_refused(wsgi):
    reply = wsgi.get("/t/csrf/")
    assert "Cookie" in reply.headers["vary"]
    assert "csrftoken" in reply.headers["set-cookie"]
