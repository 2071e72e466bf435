"""End-to-end: a real `masthead serve` (granian, 2 workers) answers over real HTTP."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_front_article_and_listing_pages_are_served(demo_server):
    status, headers, front = fetch(demo_server + "/")
    assert status == 200 and "text/html" in headers["Content-Type"]
    assert "Varesh" in front  # the demo's world-news cluster
    article_path = re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', front).group(1)
    status, _, article = fetch(demo_server + article_path)
    assert status == 200
    assert "<h1" in article and "Articles You May Like" in article and "Leave a Reply" in article
    assert fetch(demo_server + "/section/world/")[0] == 200
    assert fetch(demo_server + "/author/helena-marsh/")[0] == 200


def test_static_files_have_hashed_names_and_long_cache_headers(demo_server):
    _, _, front = fetch(demo_server + "/")
    css = re.search(r'href="(/static/masthead/site\.[0-9a-f]{12}\.css)"', front).group(1)
    status, headers, _ = fetch(demo_server + css)
    assert status == 200
    assert "max-age=315360000" in headers["Cache-Control"] or "immutable" in headers["Cache-Control"]


def test_unknown_path_is_404_and_healthz_is_ok(demo_server):
    assert fetch(demo_server + "/definitely/not/here/")[0] == 404
    status, _, body = fetch(demo_server + "/healthz")
    assert (status, body) == (200, "ok")


def test_production_server_does_not_leak_debug_pages(demo_server):
    status, _, body = fetch(demo_server + "/2020/13/45/nope/")
    assert status == 404
    assert "Traceback" not in body and "DEBUG" not in body
