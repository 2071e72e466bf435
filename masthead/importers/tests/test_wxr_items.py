"""WordPress items → records, one mapping rule at a time, on small hand-built exports.

Each test states one decision of `sources/wxr.py`, `wxr_items.py` or `wxr_markup.py`; the real
export files are exercised in `test_wxr_source.py`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from masthead.importers.records import RecordError
from masthead.importers.sources.wxr import parse_wxr
from masthead.importers.tests.wxr_samples import comment, export_file, item


def one(tmp_path, *args, **kwargs):
    export = parse_wxr(export_file(tmp_path, item(*args, **kwargs)))
    (article,) = export.articles()
    return article, export


def test_fields_of_a_published_post(tmp_path):
    more = (
        '<category domain="category" nicename="world"><![CDATA[World]]></category>'
        '<category domain="category" nicename="eu"><![CDATA[Europe &amp; EU]]></category>'
        '<category domain="post_tag" nicename="x"><![CDATA[Elections]]></category>'
        '<category domain="post_format" nicename="f"><![CDATA[Aside]]></category>'
        "<excerpt:encoded><![CDATA[The <b>short</b> version.]]></excerpt:encoded>"
    )
    article, export = one(tmp_path, 7, more=more)
    assert export.authors[0].name == "Jane Doe" and export.authors[0].email == "j@news.example"
    assert (article.key, article.kind, article.status, article.slug) == (
        "wp:news.example/blog:7",
        "article",
        "published",
        "p7",
    )
    assert article.section == "World" and article.tags == ["Europe & EU", "Elections"]
    assert article.authors == ["Jane Doe"] and article.standfirst == "The short version."
    assert article.published_at == dt.datetime(2023, 9, 16, 10, tzinfo=dt.UTC)
    assert article.old_paths == ["/?p=7", "/2023/09/16/p7/"]


def test_status_mapping_and_skipped_statuses(tmp_path):
    statuses = ["publish", "draft", "pending", "private", "future", "trash", "auto-draft"]
    items = "".join(item(i, status=s) for i, s in enumerate(statuses, 1))
    export = parse_wxr(export_file(tmp_path, items))
    got = [a.status for a in export.articles()]
    assert got == ["published", "draft", "draft", "draft", "scheduled"]
    assert [s.reason for s in export.report.skipped] == [
        "status 'trash' is not imported",
        "status 'auto-draft' is not imported",
    ]


def test_pages_attachments_menus_and_revisions(tmp_path):
    items = (
        item(1, post_type="page", title="About")
        + item(2, post_type="nav_menu_item")
        + item(3, post_type="revision")
        + item(4, post_type="wp_block")
    )
    export = parse_wxr(export_file(tmp_path, items))
    (page,) = export.articles()
    assert page.kind == "page" and "/?page_id=1" in page.old_paths
    assert [s.reason for s in export.report.skipped] == [
        "navigation menu item",
        "revision of another post",
        "post type 'wp_block' is not imported",
    ]


def test_local_dates_are_read_in_the_given_time_zone_when_gmt_is_missing(tmp_path):
    path = export_file(tmp_path, item(1).replace("2023-09-16 10:00:00", "0000-00-00 00:00:00"))
    (article,) = parse_wxr(path, tz="Europe/Paris").articles()
    assert article.published_at == dt.datetime(2023, 9, 16, 10, tzinfo=dt.UTC)
    (article,) = parse_wxr(path).articles()  # default: UTC
    assert article.published_at == dt.datetime(2023, 9, 16, 12, tzinfo=dt.UTC)
    with pytest.raises(RecordError, match="unknown time zone"):
        parse_wxr(path, tz="Mars/Olympus")


def test_keys_identify_the_site_across_http_https_and_www(tmp_path):
    keys = []
    for url in ["https://www.News.example/blog/", "http://news.example/blog"]:
        (article,) = parse_wxr(export_file(tmp_path, item(9), url=url)).articles()
        keys.append(article.key)
    (other,) = parse_wxr(export_file(tmp_path, item(9), url="https://other.example")).articles()
    assert keys == ["wp:news.example/blog:9"] * 2 and other.key == "wp:other.example:9"


def test_classic_text_keeps_its_paragraphs_and_line_breaks(tmp_path):
    content = "First line\nsecond line\n\nNew paragraph<!--more-->\n\n<ul>\n<li>item</li>\n</ul>"
    article, _ = one(tmp_path, 1, content)
    assert article.body == "First line\\\nsecond line\n\nNew paragraph\n\n- item"


def test_block_editor_content_is_not_autop_ed_and_block_comments_go(tmp_path):
    content = (
        "<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:heading {"level":1} -->\n<h1>Head</h1>\n<!-- /wp:heading -->\n'
        "<!-- wp:latest-posts /-->"
    )
    article, _ = one(tmp_path, 1, content)
    assert article.body == "One two\n\n## Head"


def test_shortcodes_become_markdown_and_unknown_ones_are_reported(tmp_path):
    attachment = (
        "<item><title>photo</title><wp:post_id>50</wp:post_id><wp:post_parent>1</wp:post_parent>"
        "<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
        "<wp:attachment_url>https://cdn.example/photo.jpg</wp:attachment_url>"
        "<excerpt:encoded><![CDATA[A caption]]></excerpt:encoded><wp:postmeta>"
        "<wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>Alt text"
        "</wp:meta_value></wp:postmeta></item>"
    )
    content = (
        '[caption id="attachment_50" width="300"]<img src="https://cdn.example/photo.jpg" '
        'alt="Boat" /> A boat[/caption]\n\n[gallery]\n\n[gallery ids="50,999"]\n\n'
        "[embed]https://video.example/v/1[/embed]\n\n"
        '[audio mp3="https://cdn.example/a.mp3"][/audio]\n\n'
        "[pullquote]Quoted words[/pullquote] [sic] [[gallery]] [custom id=3]"
    )
    featured = "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>50"
    featured += "</wp:meta_value></wp:postmeta>"
    # The attachment comes *after* the post in the file, as it often does in real exports.
    export = parse_wxr(export_file(tmp_path, item(1, content, more=featured) + attachment))
    (article,) = export.articles()
    image = "![Alt text](https://cdn.example/photo.jpg)\n\n*A caption*"
    assert article.body.split("\n\n") == [
        "![Boat](https://cdn.example/photo.jpg)",
        "*A boat*",
        *image.split("\n\n"),
        *image.split("\n\n"),
        "<https://video.example/v/1>",
        "<https://cdn.example/a.mp3>",
        "Quoted words \\[sic\\] \\[gallery\\]",
    ]
    assert (article.lead_image_url, article.lead_image_alt, article.lead_image_caption) == (
        "https://cdn.example/photo.jpg",
        "Alt text",
        "A caption",
    )
    assert article.attachments == ["https://cdn.example/photo.jpg"]
    reported = [s.what for s in export.report.skipped]
    assert "shortcode [pullquote] in 1 post(s) (1)" in reported
    assert "shortcode [custom] in 1 post(s) (1)" in reported
    assert "attachment 50 'photo'" in reported


def test_comments_keep_state_and_threads_and_drop_pingbacks(tmp_path):
    comments = (
        comment(5, parent=3, content="Reply <b>first</b> in the file\n\nSecond para")
        + comment(3, approved="0", ip="not an ip")
        + comment(4, kind="pingback", content="[…] linked […]")
        + comment(6, parent=4, approved="spam")
        + comment(7, approved="trash")
    )
    article, export = one(tmp_path, 1, more=comments)
    got = [(c.key, c.parent_key, c.status) for c in article.comments]
    assert got == [
        ("3", "", "pending"),
        ("5", "3", "approved"),
        ("6", "", "spam"),
        ("7", "", "trash"),
    ]
    reply = article.comments[1]
    assert reply.body == "Reply first in the file\n\nSecond para"
    assert (reply.email, reply.ip_address, reply.url) == ("r@example.org", "192.0.2.1", "")
    assert reply.created_at == dt.datetime(2023, 9, 17, 10, tzinfo=dt.UTC)
    assert article.comments[0].ip_address == ""
    assert [s.what for s in export.report.skipped] == ["pingback 4 on post 1 'A post'"]


def test_password_protected_posts_are_drafts_and_untitled_ones_get_a_title(tmp_path):
    more = "<wp:post_password>secret</wp:post_password>"
    article, export = one(tmp_path, 1, "Words of the body here", title="", more=more)
    assert article.status == "draft" and article.title == "Words of the body here"
    assert any("password-protected" in n for n in export.report.notes)
    assert any("has no title" in n for n in export.report.notes)


def test_wxr_1_0_tag_domains_and_https_namespace(tmp_path):
    more = (
        "<category><![CDATA[News]]></category>"
        '<category domain="category" nicename="news"><![CDATA[News]]></category>'
        '<category domain="tag"><![CDATA[roar]]></category>'
    )
    ns = "https://wordpress.org/export/1.0/"
    export = parse_wxr(export_file(tmp_path, item(1, more=more), ns=ns))
    (article,) = export.articles()
    assert (article.section, article.tags) == ("News", ["roar"])


def test_articles_can_be_read_twice_with_a_fresh_report(tmp_path):
    export = parse_wxr(export_file(tmp_path, item(1) + item(2, post_type="nav_menu_item")))
    first = list(export.articles())
    assert list(export.articles()) == first and len(export.report.skipped) == 1
