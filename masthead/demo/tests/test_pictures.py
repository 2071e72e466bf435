"""The demo's pictures (issue 16, item 1): drawn by code, the same on every run, stored in the
media library with renditions, licence and source as the credit, and a meaningful alt text."""

from __future__ import annotations

import time

import pytest
from django.core.files.storage import default_storage

from masthead.articles.models import Article, Author
from masthead.demo import images
from masthead.demo.loader import ARTICLES_DIR, load_demo


def test_each_article_gets_its_own_picture_the_same_on_every_run():
    first = images.article_picture("w01-kovan", "World", "Kovan at the port", "Varesh")
    again = images.article_picture("w01-kovan", "World", "Kovan at the port", "Varesh")
    other = images.article_picture("w02-other", "World", "Another story", "Varesh")
    assert first.data == again.data and first.data != other.data
    assert first.data[:2] == b"\xff\xd8"  # a JPEG, stored like an upload
    assert "Varesh" in first.alt and "map" in first.alt


@pytest.mark.parametrize(("section", "title", "kind"), [
    ("World", "Dockers strike", "map"), ("Science", "Faint comet brightens", "night"),
    ("Science", "Deep-sea survey finds vent field", "sea"), ("Health", "Nurses", "chart"),
    ("Technology", "Malicious code in libmarrow", "grid"), ("Culture", "A novel prize", "landscape"),
])
def test_the_picture_follows_the_story(section, title, kind):
    assert images.kind_for(section, title) == kind


@pytest.mark.django_db
def test_demo_load_gives_articles_and_authors_pictures_with_licence_and_alt(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    started = time.perf_counter()
    load_demo()
    elapsed = time.perf_counter() - started
    stories = list(Article.objects.filter(external_key__startswith="demo:")
                   .select_related("lead_image"))
    assert len(stories) == len(list(ARTICLES_DIR.glob("*.md")))
    with_picture = [a for a in stories if a.lead_image]
    assert len(with_picture) >= 0.9 * len(stories)
    for article in with_picture:
        image = article.lead_image
        assert image.credit == images.CREDIT and "CC0" in image.credit
        assert len(article.lead_image_alt) > 30 and article.lead_image_caption
        assert image.width == images.WIDTH and image.height == images.HEIGHT
        assert [r["width"] for r in image.renditions] == [480, 800, 1200]
        assert default_storage.exists(image.file.name)
        assert all(default_storage.exists(r["name"]) for r in image.renditions)
    authors = Author.objects.exclude(articles=None).select_related("photo")
    assert authors and all(a.photo and a.photo.credit == images.CREDIT for a in authors)
    # Loading again draws nothing new: the pictures are kept.
    count = sum(1 for _ in default_storage.listdir("images")[0])
    load_demo()
    assert sum(1 for _ in default_storage.listdir("images")[0]) == count
    print(f"demo load with pictures: {elapsed:.1f} s")
