"""WordPress exports → records: the real export files, hostile files and each mapping rule.

Counts are checked against `shared/data/wxr/index.json` (taken with Python's own XML parser by
the data's builder), adjusted only by the documented decisions of `sources/wxr.py`: pingbacks
and trackbacks are not comments, password-protected posts become drafts, items without a
WordPress post type are not imported. Those adjustments are counted here independently, with
the standard library's parser, rather than trusted from the importer's own report.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from masthead.importers.records import LISTED_PER_REASON, RecordError
from masthead.importers.sources.wxr import parse_wxr
from masthead.importers.tests.wxr_samples import WP, export_file, item

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("MASTHEAD_SHARED_DATA") or REPO.parent / "shared" / "data")
INDEX_FILE = SHARED / "wxr" / "index.json"
INDEX = json.loads(INDEX_FILE.read_text()) if INDEX_FILE.is_file() else {}
# Refused on purpose: not well-formed, or no/invalid <wp:wxr_version> (see sources/wxr.py).
REFUSED = {
    "wordpress-importer-fixtures/crazy-cdata.xml": "not well-formed",
    "wordpress-importer-fixtures/malformed.xml": "not well-formed",
    "wordpress-importer-fixtures/malformed-simple.xml": "not well-formed",
    "wordpress-importer-fixtures/invalid-version-tag.xml": "unsupported WXR version 'abc'",
    "wordpress-importer-fixtures/missing-version-tag.xml": "no <wp:wxr_version>",
}
# The index read this file with the first WordPress namespace it met (1.0, redeclared on a
# decoy element), so its counts are not about the real WordPress data: tested on its own below.
NAMESPACE_TRICKS = "wordpress-importer-fixtures/namespace-edge-cases.xml"
COUNTED = sorted(set(INDEX) - set(REFUSED) - {NAMESPACE_TRICKS})


@pytest.fixture
def wxr_dir(shared_data) -> Path:
    if not INDEX:
        pytest.skip(f"WXR test exports not found at {INDEX_FILE} (set MASTHEAD_SHARED_DATA)")
    return shared_data / "wxr"


def independent_exclusions(path: Path, ns: str) -> dict:
    """What the documented decisions remove from the index's raw counts, by ElementTree."""
    out = {"protected": collections.Counter(), "comments": collections.Counter(), "replies": 0}
    for entry in ET.parse(path).getroot().iter("item"):
        post_type = entry.findtext(f"{{{ns}}}post_type", "")
        status = entry.findtext(f"{{{ns}}}status", "")
        imported = post_type in ("post", "page") and status not in ("trash", "auto-draft", "")
        if imported and entry.findtext(f"{{{ns}}}post_password") and status != "draft":
            out["protected"][f"{post_type}/{status}"] += 1
        for comment in entry.findall(f"{{{ns}}}comment"):
            kind = comment.findtext(f"{{{ns}}}comment_type", "")
            if not imported or kind in ("pingback", "trackback"):
                approved = comment.findtext(f"{{{ns}}}comment_approved") or "?"
                out["comments"][approved] += 1
                out["replies"] += comment.findtext(f"{{{ns}}}comment_parent", "0") != "0"
    return out


@pytest.mark.parametrize("name", COUNTED)
def test_every_real_export_gives_the_indexed_counts(name, wxr_dir):
    info = INDEX[name]
    export = parse_wxr(wxr_dir / name)
    articles = list(export.articles())
    excluded = independent_exclusions(wxr_dir / name, info["wxr_namespace"])
    raw = collections.Counter(info["items_by_type_status"])
    protected = excluded["protected"]
    got = collections.Counter((a.kind, a.status) for a in articles)

    assert got["article", "published"] == raw["post/publish"] - protected["post/publish"]
    assert got["page", "published"] == raw["page/publish"] - protected["page/publish"]
    assert got["article", "scheduled"] == raw["post/future"] - protected["post/future"]
    drafts = ("draft", "pending", "private")
    for kind, post_type in (("article", "post"), ("page", "page")):
        expected = sum(raw[f"{post_type}/{s}"] for s in drafts) + sum(
            n for key, n in protected.items() if key.startswith(post_type + "/")
        )
        assert got[kind, "draft"] == expected
    assert len(export.authors) == info["authors"]

    comments = [c for a in articles for c in a.comments]
    by_status = collections.Counter(c.status for c in comments)
    approval = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash"}
    for value, n in info["comments_by_approved"].items():
        if value in approval:
            assert by_status[approval[value]] == n - excluded["comments"][value], value
    assert sum(by_status.values()) == sum(info["comments_by_approved"].values()) - sum(
        excluded["comments"].values()
    )
    assert sum(1 for c in comments if c.parent_key) == (
        info["comment_replies"] - excluded["replies"]
    )
    # Every item is either an article or has a line in the report saying why not.
    item_skips = [s for s in export.report.skipped if s.what.split(" ")[1:2] != ["comment(s)"]]
    item_skips = [s for s in item_skips if not s.what.startswith(("pingback", "trackback"))]
    item_skips = [s for s in item_skips if not s.what.startswith(("shortcode", "comment "))]
    # The first of each reason are listed, the rest counted (records.LISTED_PER_REASON): the
    # items listed are whole items, and every one left out is counted.
    assert all(s.whole for s in item_skips)
    assert len(item_skips) <= len({s.reason for s in item_skips}) * LISTED_PER_REASON
    whole = sum(n for (_, is_item), n in export.report.skip_counts.items() if is_item)
    assert len(articles) + whole == info["items"]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_broken_and_versionless_exports_are_refused_with_one_clear_line(name, wxr_dir):
    with pytest.raises(RecordError) as caught:
        parse_wxr(wxr_dir / name)
    message = str(caught.value)
    assert Path(name).name in message and REFUSED[name] in message
    assert "\n" not in message


def test_elements_redeclaring_the_wp_prefix_are_not_wordpress_data(wxr_dir):
    export = parse_wxr(wxr_dir / NAMESPACE_TRICKS)
    articles = {a.key: a for a in export.articles()}
    # Item 5 redeclares wp: to a hijacking URI: none of its fields are WordPress's.
    assert sorted(articles) == ["wp:1", "wp:2", "wp:3", "wp:4", "wp:6"]
    assert [s.what for s in export.report.skipped] == ["item ? 'Hijacked Namespace'"]
    # Authors in a fake namespace, or in another WXR version's namespace, are ignored.
    assert [a.login for a in export.authors] == ["real_user"]
    # "&lol1;" in CDATA is text, not an entity: it is shown literally, never expanded.
    assert articles["wp:6"].body.count("&amp;lol1;") == 10


def test_theme_unit_test_post_keeps_taxonomy_authors_permalinks_and_threads(wxr_dir):
    export = parse_wxr(wxr_dir / "theme-test-data/themeunittestdata.wordpress.xml")
    assert export.site.url == "https://wpthemetestdata.wordpress.com"
    assert export.site.wxr_version == "1.2" and export.site.language == "en"
    articles = {a.key.rsplit(":", 1)[1]: a for a in export.articles()}
    assert all(a.key.startswith("wp:wpthemetestdata.wordpress.com:") for a in articles.values())
    post = articles["1148"]
    assert (post.title, post.section, post.authors) == (
        "Template: Comments",
        "Classic",
        ["Theme Buster"],
    )
    assert post.old_paths == ["/?p=1148", "/2012/01/03/template-comments/"]
    assert len(post.comments) == 20 and sum(1 for c in post.comments if c.parent_key) == 9
    assert [c.status for c in post.comments].count("pending") == 1
    seen = set()
    for comment in post.comments:  # parents always come before their replies
        assert not comment.parent_key or comment.parent_key in seen
        seen.add(comment.key)
    assert articles["1011"].lead_image_url == (
        "https://wpthemetestdata.files.wordpress.com/2013/03/featured-image-horizontal.jpg"
    )
    for number, article in articles.items():
        assert article.old_paths[0] == f"/?p={number}"
        assert all(p.startswith("/") and "wordpress.com" not in p for p in article.old_paths)
        assert article.published_at is None or article.published_at.tzinfo is not None


# --- hostile files -------------------------------------------------------------------------


def test_billion_laughs_is_refused_at_once(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    path = tmp_path / "lol.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss a="&lol9;">'
        "<channel><title>&lol9;</title></channel></rss>"
    )
    started = time.monotonic()
    with pytest.raises(RecordError, match="refusing a file with a <!DOCTYPE>"):
        parse_wxr(path)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entities_are_refused_and_the_file_is_never_read(tmp_path, encoding):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    doc = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<!-- a comment first -->\n'
        f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        f'<rss xmlns:wp="{WP}"><channel><wp:wxr_version>1.2</wp:wxr_version>'
        "<item><title>&x;</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>"
        "<wp:status>publish</wp:status></item></channel></rss>"
    )
    path = tmp_path / "xxe.xml"
    path.write_bytes(doc.encode(encoding))
    with pytest.raises(RecordError) as caught:
        parse_wxr(path)
    assert "DOCTYPE" in str(caught.value) and "TOP-SECRET" not in str(caught.value)


def test_a_doctype_hidden_behind_a_huge_prolog_is_still_refused(tmp_path):
    path = tmp_path / "late.xml"
    path.write_text(
        f"<?xml version='1.0'?><!--{'x' * 100_000}--><!DOCTYPE rss [<!ENTITY a 'b'>]>"
        "<rss><channel/></rss>"
    )
    with pytest.raises(RecordError, match="DOCTYPE"):
        parse_wxr(path)


def test_a_text_field_over_libxml2_limits_is_refused_clearly(tmp_path):
    path = export_file(tmp_path, item(1, "x" * 11_000_000))
    with pytest.raises(RecordError, match="over 10 MB"):
        parse_wxr(path)


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')
    with pytest.raises(RecordError, match="not a WordPress export"):
        parse_wxr(path)
    with pytest.raises(RecordError, match="cannot read"):
        parse_wxr(tmp_path / "missing.xml")


def test_a_file_whose_root_is_not_rss_is_refused_before_it_is_read_through(tmp_path):
    """The first pass follows only a few elements; a sitemap holds none of them, so its root
    is checked from the file's head: this one breaks off at its end, which a read through
    would report instead."""
    path = tmp_path / "sitemap.xml"
    path.write_text("<urlset>" + "<url><loc>https://news.example/a</loc></url>" * 5000)
    with pytest.raises(RecordError, match=r"not a WordPress export \(it is <urlset>"):
        parse_wxr(path)


# --- a big export, read in bounded memory --------------------------------------------------

BIG_EXPORT_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    path, posts = Path(sys.argv[1]), int(sys.argv[2])
    meta = "a:1:{s:4:\\"blob\\";s:2000:\\"" + "x" * 2000 + "\\";}"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Big</title>'
                  '<wp:wxr_version>1.2</wp:wxr_version>')
        for i in range(1, posts + 1):
            out.write(
                f"<item><title>Post {i}</title><content:encoded><![CDATA[Paragraph {i}.\\n\\n"
                f"Another.]]></content:encoded><wp:post_id>{i}</wp:post_id><wp:status>publish"
                "</wp:status><wp:post_type>post</wp:post_type><wp:postmeta><wp:meta_key>_blob"
                f"</wp:meta_key><wp:meta_value><![CDATA[{meta}]]></wp:meta_value></wp:postmeta>"
                f"<wp:comment><wp:comment_id>{i}</wp:comment_id><wp:comment_content>Nice"
                "</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>"
                "</item>\\n")
        out.write("</channel></rss>")
    from masthead.importers.sources.wxr import parse_wxr
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    count = sum(1 for _ in parse_wxr(path).articles())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(count, path.stat().st_size, (after - before) * 1024)
    """
)


def test_a_50_mb_export_of_20000_posts_is_read_in_bounded_memory(tmp_path):
    # Resident memory of a separate process, not tracemalloc: libxml2 allocates outside
    # Python's allocator, so a tree that is never freed would be invisible to tracemalloc.
    result = subprocess.run(
        [sys.executable, "-c", BIG_EXPORT_SCRIPT, str(tmp_path / "big.xml"), "20000"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    count, size, growth = map(int, result.stdout.split())
    assert count == 20_000 and size > 45_000_000
    # Keeping the parsed tree would cost several times the file size (hundreds of MB).
    assert growth < 40 * 1024 * 1024, f"peak memory grew by {growth / 2**20:.0f} MB"
