"""Writing (issue 5, point 2): preview, counts, slug, tags, co-authors, lead image, autosave,
edit conflicts, and the signed preview link."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from masthead.articles.models import Article, Tag
from masthead.articles.services import get_or_create_tags
from masthead.core.html import render_markdown
from masthead.media.models import Image
from masthead.newsroom import previews
from masthead.newsroom.services import author_for

from .conftest import editor_post, png_bytes


@pytest.fixture
def author(make_user):
    return make_user("author")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_markdown_preview_matches_the_public_renderer_and_counts_words(author, client_for):
    body = "Intro paragraph here.\n\n## The sub-heading\n\n<script>alert(1)</script> text"
    result = client_for(author).post("/newsroom/markdown-preview/", {"body": body}).json()
    assert result["html"] == render_markdown(body)
    assert '<h2 id="the-sub-heading">The sub-heading</h2>' in result["html"]
    assert "<script>" not in result["html"]
    # The escaped <script> is visible text on the page, so its words count too.
    assert result["words"] == 10
    assert result["minutes"] == 1


def test_editor_page_shows_word_count_and_reading_time(author, make_owned, client_for):
    article = make_owned(author, body=" ".join(["word"] * 500))
    page = lxml_html.fromstring(client_for(author).get(f"/newsroom/articles/{article.pk}/").content)
    assert page.get_element_by_id("word-count").text == "500"
    assert page.get_element_by_id("reading-time").text == "3"  # 500 / 230 wpm, rounded up


def test_new_article_gets_a_slug_from_its_headline(author, client_for):
    data = editor_post(author=author_for(author), headline="Ministers’ pay: what changes?")
    client_for(author).post("/newsroom/articles/new/", data)
    assert Article.objects.get().slug == "ministers-pay-what-changes"


def test_a_bad_slug_is_refused_with_a_message(author, client_for):
    data = editor_post(author=author_for(author), slug="not a slug!")
    response = client_for(author).post("/newsroom/articles/new/", data)
    assert response.status_code == 400
    assert "slug" in response.content.decode().lower()
    assert not Article.objects.exists()


def test_tags_are_suggested_and_new_ones_created(author, client_for):
    get_or_create_tags(["Elections", "Electricity", "Health"])
    client = client_for(author)
    assert client.get("/newsroom/tags/?q=elec").json()["tags"] == ["Elections", "Electricity"]
    data = editor_post(author=author_for(author), tags="Elections, Brand new tag")
    client.post("/newsroom/articles/new/", data)
    article = Article.objects.get()
    assert sorted(article.tags.values_list("name", flat=True)) == ["Brand new tag", "Elections"]
    assert Tag.objects.filter(name="Brand new tag").exists()


def test_co_authors_appear_in_byline_order(author, make_user, client_for):
    second, third = author_for(make_user("author")), author_for(make_user("author"))
    data = editor_post(author=author_for(author), coauthors=[str(third.pk), str(second.pk)])
    client_for(author).post("/newsroom/articles/new/", data)
    names = [a.name for a in Article.objects.get().byline_authors]
    assert names[0] == author_for(author).name
    assert set(names[1:]) == {second.name, third.name}


def test_standfirst_and_section_are_saved(author, client_for):
    from masthead.articles.services import get_or_create_section

    section = get_or_create_section("Science")
    data = editor_post(author=author_for(author), standfirst="A short summary.",
                       section=str(section.pk))
    client_for(author).post("/newsroom/articles/new/", data)
    article = Article.objects.get()
    assert (article.standfirst, article.section) == ("A short summary.", section)


def test_lead_image_upload_needs_alt_text_and_caption(author, client_for, media_root):
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    data = editor_post(author=author_for(author), lead_image_upload=upload)
    response = client_for(author).post("/newsroom/articles/new/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Describe the image" in text and "Give the image a caption" in text
    assert not Image.objects.exists() and not Article.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_lead_image_upload_is_stored_with_renditions(author, client_for, media_root):
    upload = SimpleUploadedFile("photo.png", png_bytes(1800, 900), content_type="image/png")
    data = editor_post(author=author_for(author), lead_image_upload=upload,
                       lead_image_alt="A red square", lead_image_caption="Red, square.")
    assert client_for(author).post("/newsroom/articles/new/", data).status_code == 302
    article = Article.objects.select_related("lead_image").get()
    assert article.lead_image_alt == "A red square"
    assert [r["width"] for r in article.lead_image.renditions] == [480, 800, 1200, 1600, 1800]
    assert (media_root / article.lead_image.file.name).is_file()


def test_a_non_image_upload_in_the_editor_is_refused(author, client_for, media_root):
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    data = editor_post(author=author_for(author), lead_image_upload=upload,
                       lead_image_alt="x", lead_image_caption="y")
    response = client_for(author).post("/newsroom/articles/new/", data)
    assert response.status_code == 400
    assert "not a JPEG, PNG, WebP or GIF image" in response.content.decode()
    assert not Image.objects.exists() and not Article.objects.exists()


def test_library_pick_preselects_the_image_in_the_editor(author, make_owned, client_for,
                                                         media_root):
    from masthead.media.services import store_upload

    image = store_upload(SimpleUploadedFile("a.png", png_bytes()), alt="Harbour at dawn",
                         caption="The harbour.")
    article = make_owned(author)
    client = client_for(author)
    library = client.get(f"/newsroom/media/?pick={article.pk}").content.decode()
    assert f"/newsroom/articles/{article.pk}/?lead_image={image.pk}" in library
    page = lxml_html.fromstring(
        client.get(f"/newsroom/articles/{article.pk}/?lead_image={image.pk}").content)
    assert page.xpath("//input[@name='lead_image']/@value") == [str(image.pk)]
    assert page.xpath("//input[@name='lead_image_alt']/@value") == ["Harbour at dawn"]


def test_autosave_creates_then_updates_a_draft(author, client_for):
    client = client_for(author)
    data = editor_post(author=author_for(author), headline="Work in progress", action="autosave")
    first = client.post("/newsroom/articles/new/", data, HTTP_ACCEPT="application/json").json()
    assert first["saved"] is True
    article = Article.objects.get(pk=first["id"])
    data.update(body="More words now.", version=first["version"])
    second = client.post(first["edit_url"], data, HTTP_ACCEPT="application/json").json()
    assert second["saved"] is True
    article.refresh_from_db()
    assert article.body == "More words now."
    assert article.status == Article.Status.DRAFT
    assert article.revisions.first().note == "autosave"


def test_autosave_never_touches_a_published_article(author, make_owned, client_for):
    article = make_owned(author, status="published", body="Live text.")
    response = client_for(author).post(
        f"/newsroom/articles/{article.pk}/", editor_post(article, body="Half-typed", action="autosave"))
    assert response.status_code == 400
    article.refresh_from_db()
    assert article.body == "Live text."


def test_saving_over_someone_elses_newer_save_is_a_conflict(author, make_user, make_owned,
                                                            client_for):
    editor = make_user("editor")
    article = make_owned(author)
    stale = editor_post(article, headline="Author's version")
    client_for(editor).post(f"/newsroom/articles/{article.pk}/",
                            editor_post(article, headline="Editor's version"))
    response = client_for(author).post(f"/newsroom/articles/{article.pk}/", stale)
    assert response.status_code == 409
    assert "after you opened it" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Editor's version"


def test_shared_preview_link_shows_a_draft_without_login(author, make_owned, client_for):
    article = make_owned(author, headline="Embargoed investigation")
    page = client_for(author).get(f"/newsroom/articles/{article.pk}/").content.decode()
    # The link is signed with the time it was made, so it is read from the page rather than
    # made again here (a second may pass in between on a busy machine).
    found = re.findall(r'/newsroom/preview/[^"<\s]+/', page)
    assert found and found[0].split(":")[0] == previews.preview_path(article).split(":")[0]
    link = found[0]
    response = Client().get(link)
    assert response.status_code == 200
    assert "Embargoed investigation" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_shared_preview_link_expires(author, make_owned, settings):
    article = make_owned(author)
    link = previews.preview_path(article)
    later = timezone.now() + dt.timedelta(seconds=settings.MASTHEAD_PREVIEW_LINK_MAX_AGE + 60)
    with mock.patch("time.time", return_value=later.timestamp()):
        assert Client().get(link).status_code == 404


def test_tampered_preview_link_is_refused(author, make_owned):
    article = make_owned(author)
    token = previews.make_token(article)
    assert Client().get(f"/newsroom/preview/{token[:-2]}xx/").status_code == 404
    assert previews.article_id_from(token) == article.pk


def test_contributor_sees_their_published_article_read_only(make_user, make_owned, client_for):
    from masthead.articles.services import publish_article

    contributor = make_user("contributor")
    article = make_owned(contributor)
    publish_article(article, user=make_user("editor"))
    page = lxml_html.fromstring(
        client_for(contributor).get(f"/newsroom/articles/{article.pk}/").content)
    assert page.xpath("//form[@id='article-form']//fieldset/@disabled") != []
    assert not page.xpath("//button[@value='publish']")


def test_related_panel_template_is_included_when_installed(author, make_owned, client_for,
                                                          settings, tmp_path):
    panel = tmp_path / "recommendations" / "newsroom_panel.html"
    panel.parent.mkdir()
    panel.write_text('<p id="pin-panel">Pin for {{ article.pk }}: {{ can_pin_related }}</p>')
    settings.TEMPLATES = [
        {**engine, "DIRS": [tmp_path, *engine["DIRS"]]} if engine["BACKEND"].endswith(
            "DjangoTemplates") else engine
        for engine in settings.TEMPLATES
    ]
    article = make_owned(author)
    page = lxml_html.fromstring(
        client_for(author).get(f"/newsroom/articles/{article.pk}/").content)
    assert page.get_element_by_id("pin-panel").text == f"Pin for {article.pk}: False"
    # Outside the article form, so the panel may carry forms of its own.
    assert not page.xpath("//form[@id='article-form']//*[@id='pin-panel']")


def test_image_uploaded_with_a_refused_save_is_not_kept(author, make_user, make_owned,
                                                        client_for, media_root):
    article = make_owned(author)
    stale = editor_post(article, lead_image_alt="Alt", lead_image_caption="Caption",
                        lead_image_upload=SimpleUploadedFile("p.png", png_bytes()))
    client_for(make_user("editor")).post(f"/newsroom/articles/{article.pk}/",
                                         editor_post(article, headline="Editor's version"))
    response = client_for(author).post(f"/newsroom/articles/{article.pk}/", stale)
    assert response.status_code == 409
    assert not Image.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))


@pytest.mark.parametrize("value", ["3²", "٣x", "¹", "０", "9" * 25])
def test_an_image_id_with_non_ascii_digits_is_refused_not_a_500(author, client_for, value):
    """`"3²".isdigit()` is True but `int("3²")` raises; 25 digits overflow SQLite (both
    found by the security suite)."""
    client = client_for(author)
    assert client.get(f"/newsroom/articles/new/?lead_image={value}").status_code == 200
    data = editor_post(author=author_for(author), lead_image=value)
    assert client.post("/newsroom/articles/new/", data).status_code == 400
    assert not Article.objects.exists()
