"""What the API says about each object: explicit allow-lists, never a model serialised whole.

Each function names every field it returns (Ghost's practice), so a field added to a model is
invisible here until someone chooses to publish it; nothing private (emails, user accounts,
internal keys, drafts, revision notes) is reachable. `schema.py` describes exactly these
shapes, and the tests check every answer against it.
"""

from __future__ import annotations

from django.conf import settings

from masthead.search import services as search_services


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def section(obj) -> dict:
    return {"slug": obj.slug, "name": obj.name, "description": obj.description,
            "url": absolute(obj.get_absolute_url())}


def newsletter(obj) -> dict:
    """A newsletter readers can sign up for: no sender address, no subscriber count."""
    return {"slug": obj.slug, "name": obj.name, "description": obj.description,
            "kind": obj.kind, "cadence": obj.cadence if obj.kind != "manual" else None,
            "archive_url": absolute(obj.get_absolute_url()) if obj.public_archive else None,
            "subscribe_url": absolute("/newsletters/")}


def section_ref(obj) -> dict | None:
    if obj is None:
        return None
    return {"slug": obj.slug, "name": obj.name, "url": absolute(obj.get_absolute_url())}


def tag(obj) -> dict:
    return {"slug": obj.slug, "name": obj.name, "url": absolute(obj.get_absolute_url())}


def author(obj) -> dict:
    return {"slug": obj.slug, "name": obj.name, "bio": obj.bio,
            "url": absolute(obj.get_absolute_url())}


def author_ref(obj) -> dict:
    return {"slug": obj.slug, "name": obj.name, "url": absolute(obj.get_absolute_url())}


def image(article) -> dict | None:
    img = article.lead_image
    if img is None or not img.url:
        return None
    return {"url": absolute(img.url), "alt": article.lead_image_alt or img.alt,
            "caption": article.lead_image_caption or img.caption, "credit": img.credit,
            "width": img.width, "height": img.height}


def article_summary(article) -> dict:
    """An article in lists: needs `for_listing()` plus `tags` prefetched (no extra queries)."""
    return {
        "id": article.pk,
        "type": article.kind,
        "url": absolute(article.get_absolute_url()),
        "slug": article.slug,
        "headline": article.headline,
        "standfirst": article.standfirst,
        "published_at": _iso(article.published_at),
        "updated_at": _iso(article.updated_at),
        "section": section_ref(article.section),
        "tags": [tag(t) for t in article.tags.all()],
        "authors": [author_ref(a) for a in article.byline_authors],
        "word_count": article.word_count,
        "reading_minutes": article.reading_minutes,
        "image": image(article),
    }


def article_detail(article) -> dict:
    return {**article_summary(article), "body_html": article.body_html}


def search_result(result: search_services.Result) -> dict:
    return {
        "article": article_summary(result.article),
        "score": round(float(result.score), 6),
        "headline_html": str(result.title_html) or None,
        "snippet_html": str(result.snippet_html) or None,
    }
