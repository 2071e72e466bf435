"""Streamed sitemap files (sitemap_stream.py) are the bytes the template renders whole."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import timezone

from masthead.feeds import sitemap_stream
from masthead.feeds.sitemaps import SITEMAPS, site_domain

pytestmark = pytest.mark.django_db


def unstreamed(name: str, page: int) -> bytes:
    """The former view: Django's `get_urls` (a list for the whole file) and the template."""
    site, protocol = site_domain()
    urls = SITEMAPS[name]().get_urls(page=page, site=site, protocol=protocol)
    return render_to_string("feeds/sitemap.xml", {"urls": urls}).encode()


def streamed(client, name: str, page: int) -> tuple[bytes, int]:
    response = client.get(f"/sitemap-{name}-{page}.xml")
    assert response.status_code == 200 and response.streaming
    parts = list(response.streaming_content)
    return b"".join(parts), len(parts)


@pytest.mark.parametrize("zone", ["UTC", "America/St_Johns", "Asia/Kathmandu"])
@override_settings(MASTHEAD_SITEMAP_URLS_PER_FILE=4)
def test_every_streamed_file_is_the_unstreamed_file_byte_for_byte(
        client, site, make_article, monkeypatch, zone):
    monkeypatch.setattr(sitemap_stream, "CHUNK", 3)  # files of 4 URLs cross chunk boundaries
    for n in range(9):
        make_article(f"Story {n}", section=("World", "Science", "Arts")[n % 3],
                     tags=(f"Tag {n % 4}",), authors=(f"Writer {n % 2}",),
                     status="draft" if n == 4 else "published")
    compared = 0
    with timezone.override(zone):
        for name, sitemap_class in SITEMAPS.items():
            for page in range(1, sitemap_class().paginator.num_pages + 1):
                body, _ = streamed(client, name, page)
                assert body == unstreamed(name, page), (name, page)
                compared += 1
    assert compared >= 7  # several article and listing files, not one trivial case


def test_a_file_arrives_in_chunks_of_a_bounded_number_of_urls(client, make_article,
                                                              monkeypatch):
    monkeypatch.setattr(sitemap_stream, "CHUNK", 5)
    ids = [make_article(f"Story {n}").pk for n in range(23)]
    # Files hold id ranges; on PostgreSQL ids go on from earlier tests, so file 1 is made
    # wide enough to hold these 23 (and nothing else exists).
    with override_settings(MASTHEAD_SITEMAP_URLS_PER_FILE=max(ids)):
        body, parts = streamed(client, "articles", 1)
    assert body.count(b"<url>") == 23
    assert parts == 5  # 5 + 5 + 5 + 5, then the last 3 with the closing tag


def test_a_missing_file_is_a_404_before_anything_is_streamed(client, site):
    for path in ("/sitemap-articles-999.xml", "/sitemap-sections-2.xml",
                 "/sitemap-nothing-1.xml"):
        response = client.get(path)
        assert response.status_code == 404 and not response.streaming, path
