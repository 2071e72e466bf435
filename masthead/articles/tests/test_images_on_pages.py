"""Images on the reader pages (issue 16, item 1): the lead figure, thumbnails in every list,
the author's photo, og:image and JSON-LD, and no query per picture."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html
from PIL import Image as PILImage

from masthead.articles.models import Article, Author
from masthead.media.services import store_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    settings.SITE_URL = "https://news.example"


def picture(name="photo", size=(1300, 730), alt="Library alt", caption="", credit="") -> object:
    out = io.BytesIO()
    PILImage.new("RGB", size, (40, 90, 160)).save(out, "JPEG")
    return store_upload(ContentFile(out.getvalue(), name=f"{name}.jpg"), alt=alt,
                        caption=caption, credit=credit)


def with_lead(article, alt="Dockers on the quay", caption="The quay at dawn.", credit=""):
    image = picture(alt="Library alt", credit=credit or "Photo: Ada Lens / CC0")
    Article.objects.filter(pk=article.pk).update(lead_image=image, lead_image_alt=alt,
                                                 lead_image_caption=caption)
    article.refresh_from_db()
    return article


def parse(response):
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def test_article_page_shows_the_lead_figure_with_caption_credit_and_srcset(client, make_article):
    article = with_lead(make_article("Strike halts the port"))
    doc = parse(client.get(article.get_absolute_url()))
    figure = doc.xpath("//figure[@class='lead-image']")[0]
    img = figure.xpath("./img")[0]
    assert img.get("alt") == "Dockers on the quay"
    assert (img.get("width"), img.get("height")) == ("1300", "730")
    assert img.get("fetchpriority") == "high" and img.get("loading") is None
    widths = [int(part.split()[1][:-1]) for part in img.get("srcset").split(", ")]
    assert widths == [480, 800, 1200, 1300]
    assert img.get("sizes")
    caption = figure.xpath("./figcaption")[0]
    assert caption.text_content().startswith("The quay at dawn.")
    assert caption.xpath("./span[@class='credit']")[0].text == "Photo: Ada Lens / CC0"


def test_og_image_and_json_ld_image_are_absolute_with_size_and_alt(client, make_article):
    article = with_lead(make_article("Strike halts the port"))
    doc = parse(client.get(article.get_absolute_url()))
    meta = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    assert meta["og:image"].startswith("https://news.example/media/images/")
    assert meta["og:image"].endswith(".jpg")
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1300", "730")
    assert meta["og:image:alt"] == "Dockers on the quay"
    assert doc.xpath("//meta[@name='twitter:card']/@content") == ["summary_large_image"]
    data = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["image"] == [meta["og:image"]]


def test_article_without_an_image_has_no_figure_and_no_og_image(client, make_article):
    doc = parse(client.get(make_article("Words only").get_absolute_url()))
    assert not doc.xpath("//figure") and not doc.xpath("//meta[@property='og:image']")
    assert doc.xpath("//meta[@name='twitter:card']/@content") == ["summary"]


def test_listings_show_thumbnails_lazily_and_section_pages_no_kicker(client, make_article):
    with_lead(make_article("Pictured story", section="World", tags=("Ports",),
                           authors=("Ingrid Solberg",)))
    make_article("Text story", section="World", tags=("Ports",), authors=("Ingrid Solberg",))
    for path in ("/section/world/", "/tag/ports/", "/author/ingrid-solberg/"):
        doc = parse(client.get(path))
        teasers = doc.xpath("//div[@class='listing']/article")
        assert len(teasers) == 2
        pictured = [t for t in teasers if "has-image" in t.get("class")]
        assert len(pictured) == 1
        img = pictured[0].xpath(".//img")[0]
        assert (img.get("loading"), img.get("decoding")) == ("lazy", "async")
        assert img.get("srcset") and img.get("width") == "1300"
        kickers = doc.xpath("//div[@class='listing']//p[@class='kicker']")
        # A section page does not repeat its own name on every story.
        assert len(kickers) == (0 if path.startswith("/section/") else 2), path


def test_front_page_lead_is_large_and_first_the_rest_are_thumbnails(client, make_article):
    stories = [with_lead(make_article(f"Story {n}", section="World")) for n in range(5)]
    Article.objects.filter(pk=stories[-1].pk).update(featured=True)
    doc = parse(client.get("/"))
    lead = doc.xpath("//article[contains(@class,'teaser-lead')]")[0]
    assert lead.xpath(".//h2")[0].text_content() == "Story 4"
    lead_img = lead.xpath(".//img")[0]
    assert lead_img.get("fetchpriority") == "high"
    others = [i for i in doc.xpath("//main//img") if i is not lead_img]
    assert others and all(i.get("loading") == "lazy" for i in others)
    assert len(doc.xpath("//img[@fetchpriority='high']")) == 1


def test_author_page_and_byline_show_the_authors_photo(client, make_article):
    article = make_article("Bylined", authors=("Helena Marsh",))
    Author.objects.filter(slug="helena-marsh").update(
        photo=picture("helena", size=(320, 320), alt="Helena at her desk"),
        bio="Diplomatic correspondent.")
    doc = parse(client.get("/author/helena-marsh/"))
    photo = doc.xpath("//header[contains(@class,'author-header')]//img")[0]
    assert photo.get("alt") == "Photo of Helena Marsh"
    assert (photo.get("width"), photo.get("height")) == ("320", "320")
    assert doc.xpath("//p[@class='bio']")[0].text == "Diplomatic correspondent."
    page = parse(client.get(article.get_absolute_url()))
    assert page.xpath("//div[@class='byline-row']/img[@class='byline-photo']")


def _count(client, path) -> int:
    client.get(path)  # warm per-process caches (navigation, newsletters on offer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_pictures_add_no_queries_to_any_reader_page(client, make_article):
    from masthead.recommendations.services import rebuild

    authors = ("Helena Marsh", "Tomasz Wren")
    articles = [make_article(f"Navy story {n}", section=["World", "Science"][n % 2],
                             tags=("Navy", "Fleet"), authors=authors) for n in range(8)]
    rebuild()
    paths = ["/", articles[0].get_absolute_url(), "/section/world/", "/tag/navy/",
             "/author/helena-marsh/", "/search/?q=navy"]
    before = {path: _count(client, path) for path in paths}
    for article in articles:
        with_lead(article)
    Author.objects.update(photo=picture("face", size=(320, 320)))
    after = {path: _count(client, path) for path in paths}
    assert after == before
    doc = parse(client.get(articles[0].get_absolute_url()))
    cards = doc.xpath("//section[@class='related']//li[contains(@class,'related-card')]")
    assert cards and all(card.xpath(".//img[@loading='lazy']") for card in cards)
    assert len(doc.xpath("//div[@class='byline-row']/img")) == 2
