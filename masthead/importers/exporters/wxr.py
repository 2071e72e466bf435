"""WordPress eXtended RSS 1.2 export: every article and page, with comments, for WordPress.

Owns `masthead export wxr FILE`. Public: `write_wxr(out, with_private_data=False) -> dict`
(counts of what was written). The document is built with lxml's incremental writer, one
`<item>` at a time over a chunked query, so exporting a large site needs memory for one chunk.

What WordPress's importer reads, and how Masthead fills it:
- channel: `wp:wxr_version` 1.2, `wp:base_site_url`/`wp:base_blog_url` (MASTHEAD_SITE_URL),
  one `wp:author` per byline author (login = the account's username, else the author slug),
  one `wp:category` per section and one `wp:tag` per tag.
- item: `wp:post_id` (the article id), dates in the site's zone and in GMT (an undated draft
  gets WordPress's "0000-00-00 00:00:00", which WordPress's importer reads as "now"),
  `wp:post_name` (slug), `wp:status` (published → publish, scheduled → future, in review →
  pending, draft → draft), `wp:post_type` (post or page), `content:encoded` = the rendered,
  sanitised body HTML, `excerpt:encoded` = the standfirst, the section as the first category,
  tags as `post_tag` terms, `dc:creator` = the lead author. WXR has one author per post;
  further bylines are written as Co-Authors Plus `author` terms, which WordPress reads when
  that plugin is installed (and Masthead's own importer does not yet read).
- lead image: an `attachment` item whose parent is the article, referenced by the article's
  `_thumbnail_id`, carrying the image URL, its alt text and caption.
- comments: threading (`wp:comment_parent`), approval (`1`, `0`, `spam`, `trash`) and dates.
  Commenter emails and IP addresses are private: they are written only when the caller asks
  for private data, and are otherwise absent (empty elements, as WordPress writes them).
Text fields WordPress treats as HTML (titles, excerpts, names, comment text) are written
HTML-escaped, so "a < b" stays text on both sides. Characters XML 1.0 cannot carry (control
characters) are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from typing import IO

from django.conf import settings
from django.db.models import Max, Prefetch
from django.utils import timezone
from lxml import etree

from masthead.articles.models import Article, Author, Byline, Section, Tag
from masthead.comments.models import Comment
from masthead.comments.privacy import decrypt_email

WP = "http://wordpress.org/export/1.2/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
EXCERPT = "http://wordpress.org/export/1.2/excerpt/"
DC = "http://purl.org/dc/elements/1.1/"
NSMAP = {"excerpt": EXCERPT, "content": CONTENT, "wfw": "http://wellformedweb.org/CommentAPI/",
         "dc": DC, "wp": WP}
NO_DATE = "0000-00-00 00:00:00"
STATUS = {"published": "publish", "scheduled": "future", "review": "pending", "draft": "draft"}
APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "trash": "trash"}
CHUNK = 500

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLOCK = r"(?:p|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|figure|figcaption|hr)"
_AFTER_BLOCK = re.compile(rf"(</?{_BLOCK}\b[^>]*>)\n", re.I)
_BEFORE_BLOCK = re.compile(rf"\n(?=</?{_BLOCK}\b)", re.I)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S | re.I)


def write_wxr(out: IO[bytes], with_private_data: bool = False,
              progress=lambda items: items) -> dict[str, int]:
    """Write the whole site to the binary stream `out`; returns counts per kind. `progress`
    wraps the stream of articles (the CLI's bar, core/progress.py)."""
    site = settings.SITE_URL.rstrip("/")
    zone = timezone.get_default_timezone()
    counts = {"article": 0, "page": 0, "comment": 0, "attachment": 0}
    logins = _logins()
    # WordPress ids posts and attachments from one sequence: lead images are numbered after
    # the last article so no id is used twice.
    offset = Article.objects.aggregate(m=Max("pk"))["m"] or 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("rss", nsmap=NSMAP, version="2.0"):
            with xf.element("channel"):
                for node in _channel_header(site, logins, with_private_data):
                    _emit(xf, node)
                for article in progress(_articles().iterator(chunk_size=CHUNK)):
                    _emit(xf, _item(article, site, zone, logins, offset, with_private_data,
                                    counts))
                    if article.lead_image_id:
                        _emit(xf, _attachment(article, site, zone, offset))
                        counts["attachment"] += 1
                    counts[article.kind] += 1
    return counts


def _articles():
    return (
        Article.objects.order_by("pk")
        .select_related("section", "lead_image")
        .prefetch_related(
            "tags",
            Prefetch("bylines", queryset=Byline.objects.select_related("author")
                     .order_by("position")),
            Prefetch("comments", queryset=Comment.objects.order_by("created_at", "id")),
        )
    )


def _logins() -> dict[int, str]:
    """Author id → a login unique in the file: the account's username, else the slug."""
    logins: dict[int, str] = {}
    used: set[str] = set()
    authors = Author.objects.filter(bylines__isnull=False).distinct().select_related("user")
    for author in authors.order_by("pk"):
        base = author.user.get_username() if author.user else author.slug
        login, n = base, 2
        while login.lower() in used:
            login, n = f"{base}-{n}", n + 1
        used.add(login.lower())
        logins[author.pk] = login
    return logins


# --- building elements ---------------------------------------------------------------------


class _Node:
    """One element to write. Plain objects rather than lxml elements: lxml's incremental
    writer re-declares every namespace on each element tree it is given, while elements
    opened through it inherit the declarations of the `<rss>` root."""

    __slots__ = ("tag", "attrs", "text", "cdata", "children")

    def __init__(self, tag: str, text: str = "", cdata: bool = False, attrs=None):
        self.tag, self.text, self.cdata, self.attrs = tag, text, cdata, attrs or {}
        self.children: list[_Node] = []


def _emit(xf, node: _Node, depth: int = 2) -> None:
    xf.write("\n" + "\t" * depth)
    with xf.element(node.tag, node.attrs):
        if node.text:
            xf.write(etree.CDATA(node.text) if node.cdata else node.text)
        for child in node.children:
            _emit(xf, child, depth + 1)
        if node.children:
            xf.write("\n" + "\t" * depth)


def _clean(value) -> str:
    return _NOT_XML.sub("", str(value if value is not None else ""))


def _sub(parent: _Node, tag: str, value="", cdata: bool = False, **attrs) -> _Node:
    node = _Node(tag, _clean(value), cdata, attrs)
    parent.children.append(node)
    return node


def _wp(parent, name: str, value="", cdata: bool = False):
    return _sub(parent, f"{{{WP}}}{name}", value, cdata)


def _html_text(text: str) -> str:
    return escape(text or "", quote=False)


def _dates(when: dt.datetime | None, zone) -> tuple[str, str]:
    if when is None:
        return NO_DATE, NO_DATE
    fmt = "%Y-%m-%d %H:%M:%S"
    return when.astimezone(zone).strftime(fmt), when.astimezone(dt.UTC).strftime(fmt)


def _channel_header(site: str, logins: dict[int, str], private: bool):
    root = _Node("channel")  # a scratch parent for the header elements
    _sub(root, "title", settings.SITE_NAME)
    _sub(root, "link", site)
    _sub(root, "description", "")
    _sub(root, "pubDate", timezone.now().strftime("%a, %d %b %Y %H:%M:%S +0000"))
    _sub(root, "language", settings.SITE_LANGUAGE)
    _wp(root, "wxr_version", "1.2")
    _wp(root, "base_site_url", site)
    _wp(root, "base_blog_url", site)
    authors = Author.objects.filter(pk__in=logins).select_related("user").order_by("pk")
    for author in authors:
        el = _wp(root, "author")
        _wp(el, "author_id", author.pk)
        _wp(el, "author_login", logins[author.pk], cdata=True)
        _wp(el, "author_email", author.user.email if private and author.user else "", True)
        _wp(el, "author_display_name", author.name, cdata=True)  # plain text in WordPress
        _wp(el, "author_first_name", "", cdata=True)
        _wp(el, "author_last_name", "", cdata=True)
    # Term ids share one sequence in WordPress: tags are numbered after the sections.
    tag_offset = Section.objects.aggregate(m=Max("pk"))["m"] or 0
    for section in Section.objects.order_by("pk"):
        el = _wp(root, "category")
        _wp(el, "term_id", section.pk)
        _wp(el, "category_nicename", section.slug, cdata=True)
        _wp(el, "category_parent", "", cdata=True)
        _wp(el, "cat_name", _html_text(section.name), cdata=True)
        if section.description:
            _wp(el, "category_description", section.description, cdata=True)
    for tag in Tag.objects.order_by("pk"):
        el = _wp(root, "tag")
        _wp(el, "term_id", tag_offset + tag.pk)
        _wp(el, "tag_slug", tag.slug, cdata=True)
        _wp(el, "tag_name", _html_text(tag.name), cdata=True)
    return root.children


def _item(article: Article, site, zone, logins, offset, private, counts):
    item = _Node("item")
    url = site + article.get_absolute_url()
    authors = [b.author for b in article.bylines.all()]
    _sub(item, "title", _html_text(article.headline))
    _sub(item, "link", url)
    if article.published_at:
        _sub(item, "pubDate", article.published_at.astimezone(dt.UTC)
             .strftime("%a, %d %b %Y %H:%M:%S +0000"))
    _sub(item, f"{{{DC}}}creator", logins[authors[0].pk] if authors else "", cdata=True)
    _sub(item, "guid", f"{site}/?p={article.pk}", isPermaLink="false")
    _sub(item, "description", "")
    _sub(item, f"{{{CONTENT}}}encoded", _wordpress_html(article.body_html), cdata=True)
    _sub(item, f"{{{EXCERPT}}}encoded", _html_text(article.standfirst), cdata=True)
    local, gmt = _dates(article.published_at, zone)
    modified, modified_gmt = _dates(article.updated_at, zone)
    for name, value in (
        ("post_id", article.pk), ("post_date", local), ("post_date_gmt", gmt),
        ("post_modified", modified), ("post_modified_gmt", modified_gmt),
        ("comment_status", "open" if article.comments_enabled else "closed"),
        ("ping_status", "closed"), ("post_name", article.slug),
        ("status", STATUS.get(article.status, "draft")), ("post_parent", 0),
        ("menu_order", 0), ("post_type", "page" if article.kind == "page" else "post"),
        ("post_password", ""), ("is_sticky", int(article.featured)),
    ):
        _wp(item, name, value, cdata=name in ("post_date", "post_date_gmt", "post_name"))
    if article.section:
        _sub(item, "category", _html_text(article.section.name), cdata=True,
             domain="category", nicename=article.section.slug)
    for tag in article.tags.all():
        _sub(item, "category", _html_text(tag.name), cdata=True, domain="post_tag",
             nicename=tag.slug)
    if len(authors) > 1:
        for author in authors:
            login = logins[author.pk]
            _sub(item, "category", login, cdata=True, domain="author", nicename=f"cap-{login}")
    if article.lead_image_id:
        meta = _wp(item, "postmeta")
        _wp(meta, "meta_key", "_thumbnail_id", cdata=True)
        _wp(meta, "meta_value", offset + article.pk, cdata=True)
    comments = list(article.comments.all())
    ids = {c.pk for c in comments}
    for comment in comments:
        _comment(item, comment, zone, private, comment.parent_id if comment.parent_id in ids
                 else 0)
        counts["comment"] += 1
    return item


def _comment(item, comment: Comment, zone, private: bool, parent: int) -> None:
    el = _wp(item, "comment")
    local, gmt = _dates(comment.created_at, zone)
    _wp(el, "comment_id", comment.pk)
    _wp(el, "comment_author", _html_text(comment.author_name), cdata=True)
    _wp(el, "comment_author_email", decrypt_email(comment.email_encrypted) if private else "",
        cdata=True)
    _wp(el, "comment_author_url", comment.author_url)
    _wp(el, "comment_author_IP", (comment.ip_address or "") if private else "", cdata=True)
    _wp(el, "comment_date", local, cdata=True)
    _wp(el, "comment_date_gmt", gmt, cdata=True)
    _wp(el, "comment_content", _html_text(comment.body), cdata=True)
    _wp(el, "comment_approved", APPROVED.get(comment.status, "0"), cdata=True)
    _wp(el, "comment_type", "comment", cdata=True)
    _wp(el, "comment_parent", parent)
    _wp(el, "comment_user_id", comment.user_id if comment.user_id else 0)


def _attachment(article: Article, site, zone, offset) -> _Node:
    image = article.lead_image
    url = image.url if image.url.startswith(("http://", "https://")) else site + image.url
    item = _Node("item")
    _sub(item, "title", _html_text(image.alt or url.rsplit("/", 1)[-1]))
    _sub(item, "link", url)
    _sub(item, f"{{{DC}}}creator", "", cdata=True)
    _sub(item, "guid", url, isPermaLink="false")
    _sub(item, f"{{{CONTENT}}}encoded", "", cdata=True)
    _sub(item, f"{{{EXCERPT}}}encoded", _html_text(article.lead_image_caption), cdata=True)
    local, gmt = _dates(image.created_at, zone)
    for name, value in (
        ("post_id", offset + article.pk), ("post_date", local), ("post_date_gmt", gmt),
        ("post_name", f"image-{offset + article.pk}"), ("status", "inherit"),
        ("post_parent", article.pk), ("post_type", "attachment"), ("attachment_url", url),
    ):
        _wp(item, name, value, cdata=name != "post_id" and name != "post_parent")
    meta = _wp(item, "postmeta")
    _wp(meta, "meta_key", "_wp_attachment_image_alt", cdata=True)
    _wp(meta, "meta_value", article.lead_image_alt, cdata=True)
    return item


def _wordpress_html(body_html: str) -> str:
    """Body HTML as WordPress stores it: WordPress turns every newline left inside a paragraph
    into `<br>` when it displays a post (wpautop), so the soft line breaks of rendered
    Markdown become spaces; newlines between blocks, and everything in `<pre>`, stay."""
    parts = _PRE.split(body_html or "")
    for i in range(0, len(parts), 2):  # even parts are outside <pre>
        kept = _BEFORE_BLOCK.sub("\x00", _AFTER_BLOCK.sub("\\1\x00", parts[i]))
        parts[i] = kept.replace("\n", " ").replace("\x00", "\n")
    return "".join(parts)
