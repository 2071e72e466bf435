"""JSON Lines export: the contract's article format, one object a line; round-trips with import.

Commenter emails (decrypted) are included only when the caller asks for private data; without
it, no comment object carries an `email` key at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Prefetch

from masthead.articles.models import Article, Byline
from masthead.comments.models import Comment
from masthead.comments.privacy import decrypt_email


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def article_object(article: Article, with_private_data: bool = False) -> dict:
    authors = [b.author.name for b in article.bylines.all()]
    status = article.status if article.status != Article.Status.REVIEW else "draft"
    obj = {
        "id": article.external_key or f"masthead-{article.pk}",
        "title": article.headline,
        "slug": article.slug,
        "type": article.kind,
        "status": status,
        "standfirst": article.standfirst,
        "body": article.body,
        "section": article.section.name if article.section else "",
        "tags": [t.name for t in article.tags.all()],
        "author": authors[0] if authors else "",
        "authors": authors,
        "published_at": _iso(article.published_at),
        "updated_at": _iso(article.updated_at),
    }
    if article.lead_image:
        obj["image"] = article.lead_image.url
        obj["image_alt"] = article.lead_image_alt
        obj["image_caption"] = article.lead_image_caption
    comments = []
    for c in article.comments.all():
        item = {
            "id": c.external_key or f"masthead-comment-{c.pk}",
            "author": c.author_name,
            "url": c.author_url,
            "body": c.body,
            "status": c.status,
            "created_at": _iso(c.created_at),
            "parent": "",
        }
        if with_private_data:
            item["email"] = decrypt_email(c.email_encrypted)
        comments.append((c, item))
    by_pk = {c.pk: item for c, item in comments}
    for c, item in comments:
        if c.parent_id in by_pk:
            item["parent"] = by_pk[c.parent_id]["id"]
    if comments:
        obj["comments"] = [item for _, item in comments]
    return obj


def export_lines(with_private_data: bool = False, chunk_size: int = 500) -> Iterator[str]:
    articles = (
        Article.objects.order_by("published_at", "id")
        .select_related("section", "lead_image")
        .prefetch_related(
            "tags",
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            Prefetch("comments", queryset=Comment.objects.order_by("created_at", "id")),
        )
    )
    for article in articles.iterator(chunk_size=chunk_size):
        yield json.dumps(article_object(article, with_private_data), ensure_ascii=False)
