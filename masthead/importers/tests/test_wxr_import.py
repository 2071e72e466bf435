"""`masthead import wxr`: what a WordPress export leaves in the database, and what readers get.

Counts come from `shared/data/wxr/index.json` (taken with Python's own XML parser by the data's
builder), minus what the importer's documented rules leave out (pingbacks and trackbacks are
not comments; password-protected posts become drafts), counted here independently with
ElementTree — and compared with the rows that end up in the database.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.articles.models import Article, Author, Byline, Redirect, Revision, Section, Tag
from masthead.comments.models import Comment
from masthead.comments.privacy import decrypt_email
from masthead.core.html import html_to_text
from masthead.importers.exporters.jsonl import export_lines
from masthead.importers.tests.wxr_samples import comment, export_file, item
from masthead.media.models import Image
from masthead.newsroom.roles import assign_role, role_of

pytestmark = pytest.mark.django_db

# Refused on purpose (see test_bad_input.py); the namespace-tricks file's index counts read a
# decoy namespace (see test_wxr_source.py).
NOT_COUNTED = {
    "wordpress-importer-fixtures/crazy-cdata.xml",
    "wordpress-importer-fixtures/malformed.xml",
    "wordpress-importer-fixtures/malformed-simple.xml",
    "wordpress-importer-fixtures/invalid-version-tag.xml",
    "wordpress-importer-fixtures/missing-version-tag.xml",
    "wordpress-importer-fixtures/namespace-edge-cases.xml",
}
THEME_TEST = "theme-test-data/themeunittestdata.wordpress.xml"


def index(shared_data) -> dict:
    path = shared_data / "wxr" / "index.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return json.loads(path.read_text())


def counted_files() -> list[str]:
    from conftest import shared_data_dir

    path = shared_data_dir() / "wxr" / "index.json"
    names = json.loads(path.read_text()) if path.is_file() else {}
    return sorted(set(names) - NOT_COUNTED) or ["(shared data absent)"]


def import_wxr(path, *args) -> str:
    out = io.StringIO()
    call_command("import_wxr", str(path), *args, stdout=out)
    return out.getvalue()


def left_out(path, ns: str) -> dict:
    """What the importer's documented rules remove from the index's raw counts."""
    out = {"protected": collections.Counter(), "comments": collections.Counter(), "replies": 0}
    for entry in ET.parse(path).getroot().iter("item"):
        post_type = entry.findtext(f"{{{ns}}}post_type", "")
        status = entry.findtext(f"{{{ns}}}status", "")
        imported = post_type in ("post", "page") and status not in ("trash", "auto-draft", "")
        if imported and entry.findtext(f"{{{ns}}}post_password") and status != "draft":
            out["protected"][f"{post_type}/{status}"] += 1
        for c in entry.findall(f"{{{ns}}}comment"):
            if not imported or c.findtext(f"{{{ns}}}comment_type", "") in ("pingback",
                                                                           "trackback"):
                out["comments"][c.findtext(f"{{{ns}}}comment_approved") or "?"] += 1
                out["replies"] += c.findtext(f"{{{ns}}}comment_parent", "0") != "0"
    return out


@pytest.mark.parametrize("name", counted_files())
def test_each_real_export_stores_the_indexed_posts_pages_and_comments(name, shared_data):
    info = index(shared_data)[name]
    path = shared_data / "wxr" / name
    import_wxr(path)
    raw = collections.Counter(info["items_by_type_status"])
    excluded = left_out(path, info["wxr_namespace"])
    protected = excluded["protected"]
    rows = collections.Counter(Article.objects.values_list("kind", "status"))

    assert rows["article", "published"] == raw["post/publish"] - protected["post/publish"]
    assert rows["page", "published"] == raw["page/publish"] - protected["page/publish"]
    assert rows["article", "scheduled"] == raw["post/future"] - protected["post/future"]
    for kind, post_type in (("article", "post"), ("page", "page")):
        drafts = sum(raw[f"{post_type}/{s}"] for s in ("draft", "pending", "private"))
        drafts += sum(n for key, n in protected.items() if key.startswith(post_type + "/"))
        assert rows[kind, "draft"] == drafts
    assert sum(rows.values()) == sum(
        n for key, n in raw.items() if key.split("/")[0] in ("post", "page")
        and key.split("/")[1] in ("publish", "future", "draft", "pending", "private")
    )

    statuses = collections.Counter(Comment.objects.values_list("status", flat=True))
    approval = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash"}
    for value, n in info["comments_by_approved"].items():
        if value in approval:
            assert statuses[approval[value]] == n - excluded["comments"][value], value
    assert Comment.objects.filter(parent__isnull=False).count() == (
        info["comment_replies"] - excluded["replies"]
    )
    # Every comment email is stored only encrypted.
    for email in Comment.objects.exclude(email_digest="").values_list("email_encrypted",
                                                                      flat=True):
        assert "@" not in email


def test_importing_the_same_export_twice_creates_nothing_new(shared_data):
    path = shared_data / "wxr" / THEME_TEST
    models = (Article, Comment, Redirect, Image, Author, get_user_model(), Section, Tag, Byline,
              Revision)
    first = import_wxr(path)
    counts = [m.objects.count() for m in models]
    second = import_wxr(path)
    assert [m.objects.count() for m in models] == counts
    assert "article: 58 created" in first and "comment: 29 created" in first
    assert "article: 0 created, 58 already present" in second
    assert "page: 0 created, 21 already present" in second
    assert "author: 0 created, 2 already present" in second


def test_summary_counts_each_kind_and_gives_every_skipped_item_a_reason(shared_data):
    out = import_wxr(shared_data / "wxr" / THEME_TEST).splitlines()
    assert "article: 58 created, 0 already present" in out
    assert "page: 21 created, 0 already present" in out
    assert "author: 2 created, 0 already present" in out
    skipped = [line for line in out if line.startswith("skipped ")]
    # 37 attachments + 70 menu items + 4 pingbacks/trackbacks, each with a reason: the first
    # 20 of a reason one line each, then how many more (records.LISTED_PER_REASON).
    attachments = [s for s in skipped if s.startswith("skipped attachment ")]
    menu_items = [s for s in skipped if s.startswith("skipped nav_menu_item ")]
    assert len(attachments) == 20 and len(menu_items) == 20
    more = {s.split(": ", 1)[1]: int(s.split()[1]) for s in skipped
            if s.startswith("skipped ") and s.split()[1].isdigit()}
    assert more[attachments[0].split(": ", 1)[1]] == 17
    assert more[menu_items[0].split(": ", 1)[1]] == 50
    assert sum(s.startswith(("skipped pingback", "skipped trackback")) for s in skipped) == 4
    assert all(": " in s.split("'")[-1] for s in skipped)
    assert out[-1] == "79 imported, 107 skipped, 0 errors"


def test_old_permalinks_redirect_permanently_to_the_new_urls(client, shared_data):
    import_wxr(shared_data / "wxr" / THEME_TEST)
    post = Article.objects.get(external_key="wp:wpthemetestdata.wordpress.com:1148")
    response = client.get("/?p=1148")
    assert response.status_code == 301 and response["Location"] == post.get_absolute_url()
    page = Article.objects.get(kind="page", slug="about")
    response = client.get(f"/?page_id={page.external_key.rsplit(':', 1)[1]}")
    assert response.status_code == 301 and response["Location"] == page.get_absolute_url()
    # Every old path of a visible article, dated or not, answers 301 to the new URL; the
    # dated ones whose day differs (WordPress dated them in the site's zone) included.
    dated = 0
    for redirect in Redirect.objects.select_related("article"):
        article = redirect.article
        path, _, query = redirect.old_path.partition("?")
        # PATH_INFO as a WSGI server passes it: the test client would read "//x" as a host.
        response = client.get("/", QUERY_STRING=query,
                              PATH_INFO=path.encode().decode("iso-8859-1"))
        if article.is_visible:
            assert response.status_code == 301, redirect.old_path
            assert response["Location"] == article.get_absolute_url()
            dated += redirect.old_path[:3] == "/20"
        else:  # a draft's old address reveals nothing: the front page, or not found
            assert response.status_code == (200 if redirect.old_path[:2] == "/?" else 404)
    assert dated >= 3
    assert client.get(post.get_absolute_url()).status_code == 200


def test_authors_become_contributors_who_cannot_log_in(tmp_path):
    User = get_user_model()
    admin = User.objects.create_user("jdoe", password="correct horse battery")
    assign_role(admin, "admin")
    import_wxr(export_file(tmp_path, item(1)))
    author = Author.objects.get(name="Jane Doe")
    user = author.user
    assert user is not None and user != admin
    assert user.username == "jdoe-2"  # the existing "jdoe" account is not taken over
    assert not user.has_usable_password()
    assert role_of(user) == "contributor" and role_of(User.objects.get(pk=admin.pk)) == "admin"
    assert [a.name for a in Article.objects.get().byline_authors] == ["Jane Doe"]


def test_statuses_kinds_and_comment_threads_are_kept(tmp_path):
    comments = (comment(1) + comment(2, parent=1) + comment(3, parent=2, approved="0")
                + comment(4, approved="spam") + comment(5, kind="pingback"))
    items = (item(1, more=comments) + item(2, status="draft") + item(3, status="private")
             + item(4, status="future") + item(5, status="pending") + item(6, status="trash")
             + item(7, post_type="page", title="About"))
    out = import_wxr(export_file(tmp_path, items))
    status = dict(Article.objects.values_list("external_key", "status"))
    assert status == {"wp:news.example/blog:1": "published", "wp:news.example/blog:2": "draft",
                      "wp:news.example/blog:3": "draft", "wp:news.example/blog:4": "scheduled",
                      "wp:news.example/blog:5": "draft", "wp:news.example/blog:7": "published"}
    assert Article.objects.get(external_key="wp:news.example/blog:7").kind == "page"
    assert "skipped post 6 'A post': status 'trash' is not imported" in out
    one, two, three, four = Comment.objects.order_by("external_key")
    assert (two.parent, three.parent, three.depth) == (one, two, 2)
    assert [c.status for c in (one, two, three, four)] == ["approved", "approved", "pending",
                                                          "spam"]
    assert one.created_at == dt.datetime(2023, 9, 17, 10, tzinfo=dt.UTC)
    assert decrypt_email(one.email_encrypted) == "r@example.org"
    assert one.author_url == ""  # the export's javascript: URL is not kept


def test_post_dates_without_gmt_are_read_in_the_given_timezone(tmp_path):
    local_only = item(1).replace("<wp:post_date_gmt>2023-09-16 10:00:00</wp:post_date_gmt>",
                                 "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>")
    local_only = local_only.replace("2023-09-16 12:00:00", "2023-09-16 23:30:00")
    path = export_file(tmp_path, local_only)
    import_wxr(path, "--timezone", "America/New_York")
    article = Article.objects.get()
    assert article.published_at == dt.datetime(2023, 9, 17, 3, 30, tzinfo=dt.UTC)
    Article.objects.all().delete()
    import_wxr(path)  # default: Masthead's TIME_ZONE (UTC in tests)
    assert Article.objects.get().published_at == dt.datetime(2023, 9, 16, 23, 30, tzinfo=dt.UTC)
    with pytest.raises(CommandError, match="unknown time zone 'Mars/Olympus'") as caught:
        import_wxr(path, "--timezone", "Mars/Olympus")
    assert caught.value.returncode == 2


def test_more_tag_block_comments_and_shortcodes_become_clean_markdown(tmp_path):
    content = (
        "<!-- wp:paragraph -->\n<p>Opening <strong>line</strong>.</p>\n<!-- /wp:paragraph -->\n"
        "<!--more-->\n<!-- wp:heading -->\n<h2>Sub head</h2>\n<!-- /wp:heading -->\n"
        '<!-- wp:paragraph -->\n<p>[caption id="a1" width="300"]<img src="https://x.example/i.jpg"'
        ' alt="Pier"> The pier[/caption] and [poll id="7"] and [sic].</p>\n<!-- /wp:paragraph -->'
    )
    out = import_wxr(export_file(tmp_path, item(1, content)))
    article = Article.objects.get()
    body = article.body
    assert "<!--" not in body and "caption" not in body and "poll" not in body
    assert body.startswith("Opening **line**.\n\n## Sub head\n\n![Pier](https://x.example/i.jpg)")
    assert "The pier" in body
    # "[sic]" is an editor's bracket, not a shortcode: readers still see it.
    assert "and and [sic]." in html_to_text(article.body_html)
    assert "skipped shortcode [poll] in 1 post(s) (1): unknown shortcode" in out


def test_export_jsonl_shows_imported_items_type_status_comments_and_images(shared_data):
    import_wxr(shared_data / "wxr" / THEME_TEST)
    objects = [json.loads(line) for line in export_lines(with_private_data=True)]
    kinds = collections.Counter((o["type"], o["status"]) for o in objects)
    # 56 published posts, one of them password-protected (→ draft), one draft, one future.
    assert kinds == {("article", "published"): 55, ("article", "draft"): 2,
                     ("article", "scheduled"): 1, ("page", "published"): 21}
    with_image = [o for o in objects if o.get("image")]
    assert with_image and all(o["image"].startswith("https://") for o in with_image)
    assert sum(len(o.get("comments", [])) for o in objects) == 29


def test_wxr_comments_and_media_round_trip_through_json_lines(shared_data, tmp_path):
    import_wxr(shared_data / "wxr" / THEME_TEST)

    def state():
        arts = {a.external_key: (a.headline, a.kind, a.status, a.body,
                                 a.lead_image.original_url if a.lead_image else "")
                for a in Article.objects.select_related("lead_image")}
        notes = {(c.article.external_key, c.external_key): (
            c.author_name, c.body, c.status, c.created_at, decrypt_email(c.email_encrypted),
            c.parent.external_key if c.parent else "") for c in
            Comment.objects.select_related("article", "parent")}
        return arts, notes

    before = state()
    source = tmp_path / "site.jsonl"
    source.write_text("\n".join(export_lines(with_private_data=True)) + "\n")
    Article.objects.all().delete()
    Image.objects.all().delete()
    call_command("import_jsonl", str(source), stdout=io.StringIO())
    assert state() == before


def test_a_post_without_content_round_trips_through_json_lines(tmp_path):
    import_wxr(export_file(tmp_path, item(1, "")))
    source = tmp_path / "site.jsonl"
    source.write_text("\n".join(export_lines()) + "\n")
    Article.objects.all().delete()
    call_command("import_jsonl", str(source), stdout=io.StringIO())
    assert Article.objects.get().body == ""


# RENDER_AHEAD 0: the reader renders every body; a million: it never does, the storer does.
@pytest.mark.parametrize("render_ahead", [0, 10**6], ids=["reader renders", "storer renders"])
def test_a_big_export_read_by_a_second_process_stores_exactly_the_same(shared_data,
                                                                        monkeypatch,
                                                                        render_ahead):
    from masthead.importers import reading_process, services

    path = shared_data / "wxr" / THEME_TEST

    def state(out):
        articles = sorted(Article.objects.values_list(
            "external_key", "headline", "body", "body_html", "word_count", "status",
            "published_at"))
        comments = sorted(Comment.objects.values_list("external_key", "body", "parent__body"))
        return articles, comments, sorted(out.splitlines())

    in_process = state(import_wxr(path))
    for model in (Article, Section, Tag, Image, Author, get_user_model()):
        model.objects.all().delete()
    monkeypatch.setattr(reading_process, "MIN_BYTES", 0)
    monkeypatch.setattr(reading_process, "BATCH", 7)  # several batches through the pipe
    monkeypatch.setattr(reading_process, "RENDER_AHEAD", render_ahead)
    rendered_here = []  # bodies this (the storing) process renders; the reader's are its own
    render = services.render_body
    monkeypatch.setattr(services, "render_body", lambda md: rendered_here.append(1) or render(md))
    assert reading_process.usable(path.stat().st_size)
    assert state(import_wxr(path)) == in_process
    assert len(rendered_here) == (0 if render_ahead == 0 else len(in_process[0]))


def test_an_import_leaves_no_scratch_file_behind(tmp_path, monkeypatch):
    """The export's media are remembered in a temporary SQLite file (sources/wxr_memory), not
    in memory; it is gone when the import ends, whether it succeeded or failed."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    attachment = item(9, post_type="attachment", title="Photo").replace(
        "<wp:post_id>9</wp:post_id>",
        "<wp:post_id>9</wp:post_id><wp:post_parent>1</wp:post_parent>"
        "<wp:attachment_url>https://news.example/photo.jpg</wp:attachment_url>")
    import_wxr(export_file(tmp_path, item(1, content="[gallery]") + attachment))
    assert Image.objects.get().original_url == "https://news.example/photo.jpg"
    assert list(scratch.iterdir()) == []
    broken = tmp_path / "broken" / "export.xml"
    broken.parent.mkdir()
    export_file(broken.parent, item(2) + attachment.replace("<wp:post_id>9", "<wp:post_id>8")
                + "<item><title>Cut off")
    with pytest.raises(CommandError):
        import_wxr(broken)
    assert list(scratch.iterdir()) == []
