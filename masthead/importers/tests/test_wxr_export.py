"""`masthead export wxr`: a WordPress export of the whole site that imports back identically."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from masthead.articles.models import Article, Author, Redirect, Section, Tag
from masthead.comments.models import Comment
from masthead.comments.privacy import email_digest, encrypt_email
from masthead.core.html import html_to_text
from masthead.importers.exporters.wxr import WP
from masthead.media.models import Image
from tests.cli_helpers import run_cli

pytestmark = pytest.mark.django_db
THEME_TEST = "theme-test-data/themeunittestdata.wordpress.xml"
NS = {"wp": WP, "content": "http://purl.org/rss/1.0/modules/content/",
      "excerpt": "http://wordpress.org/export/1.2/excerpt/", "dc": "http://purl.org/dc/elements/1.1/"}


def add_comment(article, author, body, *, parent=None, status="approved", email="", minutes=0):
    return Comment.objects.create(
        article=article, parent=parent, depth=parent.depth + 1 if parent else 0,
        author_name=author, body=body, status=status, email_encrypted=encrypt_email(email),
        email_digest=email_digest(email), ip_address="192.0.2.7" if email else None,
        created_at=timezone.now().replace(microsecond=0) - dt.timedelta(minutes=60 - minutes),
    )


@pytest.fixture
def site(make_article):
    """A small newsroom's worth of edge cases (markup, statuses, images, threads)."""
    hour_ago = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    story = make_article(
        "Rates rise: AT&T <b>and</b> \"others\" react",
        body="First paragraph with *emphasis*, a [link](https://example.org/a?b=1&c=2)\n"
             "and a soft line break.\n\n## What happens next\n\n- one\n- two\n\n"
             "> A quote.\n\n```\ncode <kept>\n  indented\n```\n\n"
             "![A chart](https://cdn.example.org/chart.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        section="Business", tags=("Rates", "R&D"), authors=("Ada Reporter",),
        published_at=hour_ago, standfirst="Line one of the standfirst.\nLine two & more.",
    )
    image = Image.objects.create(original_url="https://cdn.example.org/lead.jpg")
    story.lead_image, story.lead_image_alt = image, "The central bank"
    story.lead_image_caption = "Photo: Agency"
    story.save(update_fields=["lead_image", "lead_image_alt", "lead_image_caption"])
    top = add_comment(story, "Reader <One>", "I disagree.\n\nStrongly: a < b.", email="one@x.org")
    reply = add_comment(story, "Ada Reporter", "Noted.", parent=top, minutes=5)
    add_comment(story, "Third", "Reply to reply", parent=reply, status="pending", minutes=9,
                email="three@x.org")
    add_comment(story, "Spammer", "Buy now", status="spam", minutes=12)
    make_article("An undated draft", status="draft", section="", authors=("Bo Editor",))
    make_article("Coming soon", status="scheduled", section="World",
                 published_at=timezone.now().replace(microsecond=0) + dt.timedelta(days=3))
    make_article("About us", kind="page", section="", body="Who we are.")
    return story


def snapshot() -> dict:
    """What must survive the trip, by the article's id in the export (its WordPress id)."""
    out = {}
    articles = Article.objects.select_related("section", "lead_image").prefetch_related(
        "tags", "bylines__author", "comments__parent")
    for a in articles:
        number = a.external_key.rsplit(":", 1)[1] if a.external_key and a.external_key.startswith(
            "wp:127.0.0.1") else str(a.pk)
        comments = sorted(
            (c.author_name, c.body, c.status, c.created_at,
             (c.parent.author_name, c.parent.body) if c.parent else None)
            for c in a.comments.all())
        out[number] = {
            "headline": a.headline, "slug": a.slug, "status": a.status, "kind": a.kind,
            "section": a.section.name if a.section else "", "standfirst": a.standfirst,
            "tags": sorted(t.name for t in a.tags.all()),
            "authors": [b.author.name for b in sorted(a.bylines.all(), key=lambda b: b.position)],
            "published_at": a.published_at.replace(microsecond=0) if a.published_at else None,
            "text": " ".join(html_to_text(a.body_html).split()),
            "links": sorted(etree.HTML(a.body_html or "<p/>").xpath("//a/@href | //img/@src")),
            "lead_image": (a.lead_image.original_url, a.lead_image_alt, a.lead_image_caption)
            if a.lead_image else None,
            "comments": comments,
        }
    return out


def wipe() -> None:
    Article.objects.all().delete()
    Image.objects.all().delete()
    Redirect.objects.all().delete()
    Section.objects.all().delete()
    Tag.objects.all().delete()
    Author.objects.all().delete()
    get_user_model().objects.all().delete()


def export(tmp_path, *args) -> bytes:
    path = tmp_path / "site.xml"
    call_command("export_wxr", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
    return path.read_bytes()


def test_export_then_import_into_an_empty_site_gives_identical_articles(site, shared_data,
                                                                       tmp_path):
    # The WordPress theme unit test adds every kind of markup WordPress posts carry.
    call_command("import_wxr", str(shared_data / "wxr" / THEME_TEST), stdout=io.StringIO())
    before = snapshot()
    export(tmp_path)
    wipe()
    call_command("import_wxr", str(tmp_path / "site.xml"), stdout=io.StringIO())
    after = snapshot()
    assert sorted(after) == sorted(before)
    for number, article in before.items():
        assert after[number] == article, article["headline"]


def test_the_export_is_a_wordpress_wxr_1_2_document(site, tmp_path):
    doc = etree.fromstring(export(tmp_path))
    channel = doc.find("channel")
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=NS) == "http://127.0.0.1:8000"
    assert {a.findtext("wp:author_display_name", namespaces=NS)
            for a in channel.findall("wp:author", NS)} == {"Ada Reporter", "Bo Editor"}
    assert {c.findtext("wp:cat_name", namespaces=NS)
            for c in channel.findall("wp:category", NS)} == {"Business", "World"}
    assert {t.findtext("wp:tag_name", namespaces=NS)
            for t in channel.findall("wp:tag", NS)} == {"Rates", "R&amp;D"}  # WordPress escapes
    items = {i.findtext("wp:post_id", namespaces=NS): i for i in channel.findall("item")}
    story = items[str(site.pk)]
    assert story.findtext("wp:post_type", namespaces=NS) == "post"
    assert story.findtext("wp:status", namespaces=NS) == "publish"
    assert story.findtext("wp:post_name", namespaces=NS) == site.slug
    assert story.findtext("dc:creator", namespaces=NS) == "ada-reporter"
    assert story.findtext("content:encoded", namespaces=NS).startswith("<p>First paragraph")
    assert story.findtext("excerpt:encoded", namespaces=NS).startswith("Line one")
    terms = [(c.get("domain"), c.get("nicename")) for c in story.findall("category")]
    assert terms[0] == ("category", "business")  # the section comes first
    assert sorted(terms[1:]) == [("post_tag", "rates"), ("post_tag", "rd")]
    gmt = story.findtext("wp:post_date_gmt", namespaces=NS)
    assert gmt == site.published_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    comments = story.findall("wp:comment", NS)
    parent_of = {c.findtext("wp:comment_id", namespaces=NS):
                 c.findtext("wp:comment_parent", namespaces=NS) for c in comments}
    top, reply, third, spam = (str(c.pk) for c in site.comments.order_by("created_at"))
    assert parent_of == {top: "0", reply: top, third: reply, spam: "0"}
    assert [c.findtext("wp:comment_approved", namespaces=NS) for c in comments] == [
        "1", "1", "0", "spam"]
    # The lead image is an attachment of the story, named by its _thumbnail_id.
    thumb = story.find("wp:postmeta[wp:meta_key='_thumbnail_id']/wp:meta_value", NS).text
    attachment = items[thumb]
    assert attachment.findtext("wp:post_type", namespaces=NS) == "attachment"
    assert attachment.findtext("wp:post_parent", namespaces=NS) == str(site.pk)
    assert attachment.findtext("wp:attachment_url", namespaces=NS) == (
        "https://cdn.example.org/lead.jpg")
    kinds = sorted((i.findtext("wp:post_type", namespaces=NS),
                    i.findtext("wp:status", namespaces=NS)) for i in items.values())
    assert kinds == [("attachment", "inherit"), ("page", "publish"), ("post", "draft"),
                     ("post", "future"), ("post", "publish")]


def test_commenter_emails_and_addresses_leave_only_with_private_data(site, tmp_path):
    plain = export(tmp_path)
    assert b"one@x.org" not in plain and b"three@x.org" not in plain
    assert b"192.0.2.7" not in plain
    private = export(tmp_path, "--with-private-data")
    doc = etree.fromstring(private)
    emails = [e.text for e in doc.iterfind(".//wp:comment_author_email", NS)]
    assert sorted(filter(None, emails)) == ["one@x.org", "three@x.org"]
    assert b"192.0.2.7" in private


def test_an_article_in_review_is_exported_as_pending_review(make_article, tmp_path):
    make_article("Waiting for an editor", status="review")
    doc = etree.fromstring(export(tmp_path))
    assert doc.findtext(".//item/wp:status", namespaces=NS) == "pending"


def test_export_wxr_command_writes_stdout_and_fails_cleanly_on_an_unwritable_path(tmp_path):
    data = tmp_path / "data"
    assert run_cli(data, "migrate", "-v0").returncode == 0
    done = run_cli(data, "export", "wxr", "-")
    assert done.returncode == 0, done.stderr
    assert etree.fromstring(done.stdout.encode()).findtext(
        "channel/wp:wxr_version", namespaces=NS) == "1.2"
    done = run_cli(data, "export", "wxr", str(tmp_path / "no" / "such" / "dir.xml"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot write" in done.stderr
    assert not list((tmp_path).glob("**/.dir.xml.*"))
