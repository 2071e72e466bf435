"""Stored pages are compressed once and served compressed to clients that accept it (issue 16);
uncached HTML from Django is compressed too; clients that do not ask get the identity bytes."""

from __future__ import annotations

import gzip
import os

import pytest

from masthead.core import compression
from masthead.pagecache.entry import Entry

from .test_store_contract import entry, redis_store

pytestmark = pytest.mark.django_db
LONG_BODY = "Words of the story, long enough to be worth compressing. " * 60


def decode(reply) -> bytes:
    coding = reply.headers.get("content-encoding")
    if coding == "gzip":
        return gzip.decompress(reply.body)
    if coding == "br":
        return compression.brotli.decompress(reply.body)
    assert coding is None, coding
    return reply.body


@pytest.mark.parametrize("accept, coding", [
    ("gzip, deflate", "gzip"),
    ("gzip, deflate, br", "br" if compression.brotli else "gzip"),
    ("identity", None),
    (None, None),
])
def test_a_hit_is_sent_in_the_best_accepted_coding(wsgi, make_article, accept, coding):
    path = make_article("Compressed harbour", body=LONG_BODY).get_absolute_url()
    plain = wsgi.get(path)
    assert plain.cache == "MISS" and "content-encoding" not in plain.headers
    headers = {"Accept-Encoding": accept} if accept else {}
    hit = wsgi.request(path, headers=headers)
    assert hit.cache == "HIT"
    assert hit.headers.get("content-encoding") == coding
    assert hit.headers["vary"] == "Accept-Encoding"
    assert hit.headers["content-length"] == str(len(hit.body))
    assert decode(hit) == plain.body
    if coding:
        assert hit.headers["etag"] == "W/" + plain.headers["etag"]
        assert len(hit.body) < len(plain.body) // 3


def test_the_miss_that_stores_a_page_is_sent_compressed_from_the_stored_bytes(
        wsgi, page_cache, make_article):
    path = make_article("First reader", body=LONG_BODY).get_absolute_url()
    miss = wsgi.request(path, headers={"Accept-Encoding": "gzip"})
    assert miss.cache == "MISS" and miss.headers["content-encoding"] == "gzip"
    stored = page_cache.get(path)
    assert miss.body == stored.encoded["gzip"]  # compressed once, for both
    assert gzip.decompress(miss.body) == stored.body


def test_a_conditional_get_of_a_compressed_hit_is_answered_304(wsgi, make_article):
    path = make_article(body=LONG_BODY).get_absolute_url()
    wsgi.get(path)
    hit = wsgi.request(path, headers={"Accept-Encoding": "gzip"})
    again = wsgi.request(path, headers={"Accept-Encoding": "gzip",
                                        "If-None-Match": hit.headers["etag"]})
    assert again.status == 304


def test_uncached_html_is_compressed_when_asked(wsgi, make_article, settings):
    settings.MASTHEAD_PAGE_CACHE = False
    path = make_article(body=LONG_BODY).get_absolute_url()
    plain = wsgi.get(path)
    squeezed = wsgi.request(path, headers={"Accept-Encoding": "gzip"})
    assert squeezed.cache == "" and squeezed.headers["content-encoding"] == "gzip"
    assert squeezed.headers["vary"].endswith("Accept-Encoding")
    decoded = gzip.decompress(squeezed.body)
    # Not byte-equal: an uncached page carries a fresh CSRF token each time.
    assert decoded.startswith(b"<!doctype html>") and decoded.rstrip().endswith(b"</html>")
    assert abs(len(decoded) - len(plain.body)) < 100 and LONG_BODY[:60].encode() in decoded


def test_file_store_keeps_copies_where_nginx_gzip_static_looks(page_cache, wsgi, make_article):
    path = make_article(body=LONG_BODY).get_absolute_url()
    wsgi.get(path)
    body_file = page_cache.body_file(path, "html")
    with open(body_file, "rb") as fh:
        body = fh.read()
    assert gzip.decompress(open(body_file + ".gz", "rb").read()) == body
    page_cache.purge([k for k in page_cache.get(path).keys])
    assert not os.path.exists(body_file + ".gz") and not os.path.exists(body_file + ".br")


def test_a_copy_from_another_version_of_the_page_is_never_sent(page_cache, tmp_path):
    body = LONG_BODY.encode()
    first = _with_copies(entry("/p/", ["a:1"], body))
    assert page_cache.put(first, page_cache.begin())
    body_file = page_cache.body_file("/p/", "html")
    stale = gzip.compress(b"an older version of the page " * 40)
    with open(body_file + ".gz", "wb") as fh:
        fh.write(stale)
    page_cache._hot.clear()
    loaded = page_cache.get("/p/")
    assert loaded.body == body
    assert "gzip" not in loaded.encoded  # the stale copy is left out, not served
    head, sent = loaded.variant("gzip")
    assert sent in (body, loaded.encoded.get("br"))


def _with_copies(e: Entry) -> Entry:
    return Entry(path=e.path, body=e.body, headers=e.headers, keys=e.keys, etag=e.etag,
                 last_modified=e.last_modified, ext=e.ext, stored_at=e.stored_at,
                 encoded=compression.variants(e.body))


def test_redis_store_keeps_the_copies():
    store = redis_store()
    try:
        body = LONG_BODY.encode()
        assert store.put(_with_copies(entry("/r/", ["a:1"], body)), store.begin())
        got = store.get("/r/")
        assert got.body == body
        assert gzip.decompress(got.encoded["gzip"]) == body
        assert set(got.encoded) == set(compression.PREFERRED)
    finally:
        doomed = list(store.client.scan_iter(match=store.prefix + "*", count=1000))
        if doomed:
            store.client.delete(*doomed)
