"""Security headers on every response type (issue 15, item 2 and the suite that stays).

Every kind of answer the app gives (reader and newsroom HTML, feeds, sitemaps, robots.txt,
API JSON and its errors, redirects, 404 and 500 pages, static files, health check, a page
answered by the page cache's fast path) carries the one Content-Security-Policy, `nosniff`,
`X-Frame-Options: DENY` and the referrer policy; media files keep their own sandbox policy.
The 500 page's inline style is allowed by a hash that must match it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image as PILImage

from masthead.comments import tokens
from masthead.core.security import POLICY
from masthead.media.models import Image
from masthead.newsroom.staff import create_staff_user

from .outputs import live_markup

pytestmark = pytest.mark.django_db

COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
          "referrer-policy": "strict-origin-when-cross-origin"}


def assert_headers(response, policy=POLICY):
    got = {k.lower(): v for k, v in response.items()}
    assert got.get("content-security-policy") == policy, response
    for name, value in COMMON.items():
        assert got.get(name) == value, (name, response)


def test_the_policy_is_strict():
    directives = dict(d.split(" ", 1) for d in POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["base-uri"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in POLICY and "unsafe-eval" not in POLICY
    assert "script-src" not in directives  # scripts fall back to default-src 'self'


def test_the_error_page_style_hash_matches_its_inline_style():
    page = (Path(__file__).resolve().parents[2] / "masthead/templates/500.html").read_text()
    for style in re.findall(r"<style>(.*?)</style>", page, re.S):
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in POLICY


@pytest.fixture
def site(make_article):
    article = make_article("Harbour bridge opens", tags=("Bridges",), section="Local")
    admin, _ = create_staff_user("hdr-admin", "admin", password="a long enough password 1")
    staff = Client()
    staff.force_login(admin)
    return article, staff


def test_every_reader_response_type_carries_the_headers(site, client):
    article, _ = site
    author = article.byline_authors[0].slug
    paths = ["/", article.get_absolute_url(), "/section/local/", "/tag/bridges/",
             f"/author/{author}/", "/search/?q=harbour", "/feed/", "/feed/atom/", "/feed.json",
             f"/author/{author}/feed/", "/comments/feed/", "/sitemap.xml",
             "/news-sitemap.xml", "/robots.txt", "/healthz", "/api/v1/articles/",
             f"/api/v1/articles/{article.pk}/", "/api/v1/openapi.json", "/api/v1/nothing/",
             "/api/v1/articles/?per_page=abc", "/no-such-page/", f"/comments/token/{article.pk}/"]
    seen = set()
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        seen.add(response.status_code)
        assert_headers(response)
    assert {200, 404} <= seen and (400 in seen or 404 in seen)


def test_static_files_carry_the_policy_and_nosniff(client):
    """WhiteNoise answers before the framing middleware; a style sheet cannot be framed as a
    document anyway, and `frame-ancestors 'none'` is in the policy it does carry."""
    for path in ("/static/masthead/site.css", "/static/comments/reply.js",
                 "/static/newsroom/editor.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == POLICY
        assert response["X-Content-Type-Options"] == "nosniff"


def test_redirects_and_refusals_carry_the_headers(site, client):
    article, _ = site
    refused = client.post("/comments/post/", {"article": str(article.pk)},
                          HTTP_ORIGIN="http://testserver")
    assert 400 <= refused.status_code < 500
    assert_headers(refused)
    posted = client.post("/comments/post/", {
        "author": "Ada", "email": "ada@example.org", "url": "", "comment": "Fine words.",
        "comment_parent": "0", "article": str(article.pk), "leave_this_empty": "",
        "form_token": tokens.issue_form_token(article.pk, issued_at=time.time() - 30)},
        HTTP_ORIGIN="http://testserver")
    assert posted.status_code in (302, 303)
    assert_headers(posted)
    assert_headers(client.get("/newsroom/"))  # redirect to the login page
    assert_headers(client.get("/newsroom/login/"))


def test_newsroom_pages_and_json_carry_the_headers(site):
    article, staff = site
    for path in ("/newsroom/", "/newsroom/articles/", f"/newsroom/articles/{article.pk}/",
                 "/newsroom/comments/", "/newsroom/media/", "/newsroom/users/",
                 "/newsroom/tags/?q=Br"):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert_headers(response)
    preview = staff.post("/newsroom/markdown-preview/", {"body": "*hi*"})
    assert preview.status_code == 200
    assert_headers(preview)


def test_the_500_page_carries_the_headers_and_no_live_markup(settings):
    settings.ROOT_URLCONF = "tests.security.urls"
    response = Client(raise_request_exception=False).get("/t/fails/")
    assert response.status_code == 500
    assert_headers(response)
    assert live_markup(response.content.decode()) == []


def test_media_files_keep_their_own_sandbox_policy(db, client):
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    image = Image(alt="x")
    image.file.save("dot.png", ContentFile(buffer.getvalue()), save=True)
    response = client.get(image.file.url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_page_from_the_cache_fast_path_carries_the_same_headers(site, settings, tmp_path):
    from masthead.pagecache.tests.conftest import WsgiClient

    settings.MASTHEAD_PAGE_CACHE = True
    settings.MASTHEAD_PAGE_CACHE_DIR = tmp_path / "pagecache"
    article, _ = site
    wsgi = WsgiClient()
    miss = wsgi.get(article.get_absolute_url())
    hit = wsgi.get(article.get_absolute_url())
    assert (miss.cache, hit.cache) == ("MISS", "HIT")
    assert hit.headers["content-security-policy"] == POLICY
    for name, value in COMMON.items():
        assert hit.headers[name] == value


@pytest.mark.parametrize("html,found", [
    ("<p>plain</p>", False), ('<script src="/static/x.js"></script>', False),
    ('<script type="application/ld+json">{}</script>', False), ("<script>1</script>", True),
    ('<img src="x" onerror="1">', True), ('<a href=" javascript:1">x</a>', True),
    ('<a href="java\tscript:1">x</a>', True), ("<iframe></iframe>", True),
    ('<base href="//evil.example/">', True), ("<p>&lt;script&gt;</p>", False),
])
def test_the_live_markup_detector_itself(html, found):
    assert bool(live_markup(f"<html><body>{html}</body></html>")) is found
