"""Load the demo site: sections, authors, the original articles in `articles/`, their comments,
and two newsletters (`newsletters.toml`), so a new site shows the sign-up form on its pages.

Articles are Markdown files with TOML front matter between `+++` lines. Dates are relative
(`days_ago`, `hour`) so the demo always looks current: the newest stories are in the news
sitemap, the oldest months back. Each article's external key is `demo:<file stem>`, which makes
loading idempotent: a second run adds nothing. Pictures (images.py) are drawn for articles
and authors that have none.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from masthead.articles.models import Article, Author, Section
from masthead.importers.records import ArticleRecord, CommentRecord, ImportReport
from masthead.importers.services import store_records
from masthead.media.models import Image
from masthead.media.services import store_upload

from . import images

HERE = Path(__file__).resolve().parent
ARTICLES_DIR = HERE / "articles"


class DemoFileError(ValueError):
    pass


def read_article_file(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    parts = text.split("+++", 2)
    if len(parts) != 3 or parts[0].strip():
        raise DemoFileError(f"{path.name}: front matter must be enclosed in +++ lines")
    try:
        meta = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as exc:
        raise DemoFileError(f"{path.name}: {exc}") from None
    return meta, parts[2].strip() + "\n"


def _record(path: Path, now: dt.datetime) -> tuple[ArticleRecord, bool]:
    meta, body = read_article_file(path)
    day = timezone.localtime(now).date() - dt.timedelta(days=int(meta.get("days_ago", 0)))
    published = timezone.make_aware(dt.datetime.combine(day, dt.time(int(meta.get("hour", 9)))))
    if published > now:
        published = now - dt.timedelta(minutes=30)
    comments = [
        CommentRecord(
            key=str(c["id"]), author=c["author"], body=c["body"], email=c.get("email", ""),
            url=c.get("url", ""), status=c.get("status", "approved"),
            created_at=min(now, published + dt.timedelta(minutes=int(c.get("minutes_after", 60)))),
            parent_key=c.get("parent", ""),
        )
        for c in meta.get("comments", [])
    ]
    record = ArticleRecord(
        key=f"demo:{path.stem}", title=meta["title"], body=body,
        kind=meta.get("type", "article"), standfirst=meta.get("standfirst", ""),
        published_at=published, updated_at=published, section=meta.get("section", ""),
        tags=list(meta.get("tags", [])), authors=list(meta.get("authors", [])),
        comments=comments,
    )
    return record, bool(meta.get("featured", False))


@transaction.atomic
def load_demo(now: dt.datetime | None = None) -> ImportReport:
    now = now or timezone.now()
    for item in tomllib.loads((HERE / "sections.toml").read_text("utf-8"))["sections"]:
        Section.objects.get_or_create(slug=item["slug"], defaults={
            "name": item["name"], "description": item.get("description", ""),
        })
    for position, item in enumerate(
        tomllib.loads((HERE / "sections.toml").read_text("utf-8"))["sections"]
    ):
        Section.objects.filter(slug=item["slug"]).update(position=position)
    for item in tomllib.loads((HERE / "authors.toml").read_text("utf-8"))["authors"]:
        Author.objects.get_or_create(slug=item["slug"], defaults={
            "name": item["name"], "bio": item.get("bio", ""),
        })
    load_newsletters()
    pairs = [_record(p, now) for p in sorted(ARTICLES_DIR.glob("*.md"))]
    report = store_records([r for r, _ in pairs])
    featured = [r.key for r, is_featured in pairs if is_featured]
    Article.objects.filter(external_key__in=featured).update(featured=True)
    add_pictures([r for r, _ in pairs])
    return report


def load_newsletters() -> None:
    """The demo newsletters, by slug: a second run, or one the publisher changed, is kept."""
    from django.conf import settings

    from masthead.newsletters.models import Newsletter

    for item in tomllib.loads((HERE / "newsletters.toml").read_text("utf-8"))["newsletters"]:
        Newsletter.objects.get_or_create(slug=item["slug"], defaults={
            "name": item["name"], "description": item.get("description", ""),
            "kind": item.get("kind", "manual"), "cadence": item.get("cadence", "daily"),
            "send_hour": item.get("send_hour", 7), "sender_name": settings.SITE_NAME,
            "sender_email": settings.DEFAULT_FROM_EMAIL,
        })


def _store(picture: images.Picture, name: str) -> Image:
    upload = ContentFile(picture.data, name=name)
    return store_upload(upload, alt=picture.alt, caption=picture.caption, credit=images.CREDIT)


def add_pictures(records) -> int:
    """Draw a lead image for each demo article and a portrait for each demo author that has
    none yet (images.py); returns how many pictures were made. `update()`, not `save()`: the
    text did not change, so nothing needs reindexing or re-rendering."""
    made = 0
    by_key = {r.key: r for r in records}
    for article in Article.objects.filter(external_key__in=list(by_key), lead_image=None):
        record = by_key[article.external_key]
        stem = record.key.removeprefix("demo:")
        place = record.tags[0] if record.tags else ""
        picture = images.article_picture(stem, record.section, record.title, place)
        image = _store(picture, f"{stem}.jpg")
        Article.objects.filter(pk=article.pk).update(
            lead_image=image, lead_image_alt=picture.alt, lead_image_caption=picture.caption)
        made += 1
    slugs = [a["slug"] for a in
             tomllib.loads((HERE / "authors.toml").read_text("utf-8"))["authors"]]
    for author in Author.objects.filter(slug__in=slugs, photo=None):
        picture = images.portrait(author.slug, author.name)
        Author.objects.filter(pk=author.pk).update(
            photo=_store(picture, f"author-{author.slug}.jpg"))
        made += 1
    return made
