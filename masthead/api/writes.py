"""What the Admin API does with an article: translate the request into the newsroom's fields,
then call the newsroom's own service functions (`masthead.newsroom.services`) as the
integration's service account. Nothing here decides a permission: the newsroom's `policy`
does, inside those functions, exactly as for a person in the browser.

Added here, because only the API needs them: strict optimistic concurrency (`If-Match` must
name the current version, or 412 — the newsroom's own conflict rule forgives a user's own
earlier saves, which would let two retries of one stale update both win) and idempotent
creates (`models.IdempotencyRecord`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja.errors import HttpError

from masthead.articles.models import Article, Author, Section
from masthead.media.models import Image
from masthead.newsletters import article_mail
from masthead.newsroom import policy
from masthead.newsroom import services as newsroom

from .models import IdempotencyRecord
from .serializers import absolute


def etag(article: Article) -> str:
    return f'"{article.pk}-{int(article.updated_at.timestamp() * 1_000_000)}"'


def admin_view(article: Article) -> dict:
    return {
        "id": article.pk, "external_id": article.external_key, "status": article.status,
        "type": article.kind, "url": absolute(article.get_absolute_url()), "slug": article.slug,
        "title": article.headline, "standfirst": article.standfirst, "body": article.body,
        "section": article.section.slug if article.section_id else None,
        "tags": sorted(article.tags.values_list("name", flat=True)),
        "authors": [b.author.slug for b in article.bylines.select_related("author")
                    .order_by("position")],
        "lead_image": article.lead_image_id, "lead_image_alt": article.lead_image_alt,
        "lead_image_caption": article.lead_image_caption, "featured": article.featured,
        "comments_enabled": article.comments_enabled,
        "email_newsletters": sorted(n.slug for n in article_mail.chosen(article)),
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "updated_at": article.updated_at.isoformat(), "version": etag(article),
    }


def _author(value: str) -> Author:
    found = Author.objects.filter(Q(slug=value) | Q(name=value)).order_by("pk").first()
    if found is None:
        raise ValidationError(f"No author {value!r}; bylines name existing authors.")
    return found


def fields_from(payload: dict, article: Article) -> dict:
    """The newsroom editor's fields from the request's (only those it sent)."""
    fields = {}
    names = {"title": "headline", "body": "body", "standfirst": "standfirst", "slug": "slug",
             "lead_image_alt": "lead_image_alt", "lead_image_caption": "lead_image_caption",
             "comments_enabled": "comments_enabled", "featured": "featured", "type": "kind"}
    for name, field in names.items():
        if payload.get(name) is not None:
            fields[field] = payload[name]
    if "section" in payload:
        slug = payload["section"]
        fields["section"] = None if slug is None else Section.objects.filter(slug=slug).first()
        if slug is not None and fields["section"] is None:
            raise ValidationError(f"No section {slug!r}; sections are created by admins.")
    if payload.get("tags") is not None:
        fields["tags"] = payload["tags"]
    bylines = payload.get("authors") or ([payload["author"]] if payload.get("author") else None)
    if bylines:
        fields["authors"] = [_author(v) for v in bylines]
    if "lead_image" in payload:
        pk = payload["lead_image"]
        fields["lead_image"] = None if pk is None else Image.objects.filter(pk=pk).first()
        if pk is not None and fields["lead_image"] is None:
            raise ValidationError(f"No image {pk}; upload it with POST /media/ first.")
    if payload.get("email_newsletters") is not None:
        fields["email_newsletters"] = _newsletters(payload["email_newsletters"])
    image = fields.get("lead_image", article.lead_image)
    if image is not None:  # the editor form's rule: a lead image needs alt text and a caption
        for name in ("lead_image_alt", "lead_image_caption"):
            if not (fields.get(name, getattr(article, name)) or "").strip():
                raise ValidationError(f"{name} is required with a lead image.")
    return fields


def _newsletters(slugs: list[str]) -> list:
    from masthead.newsletters import article_mail

    found = {n.slug: n for n in article_mail.eligible().filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise ValidationError(f"No newsletter {unknown[0]!r} that articles can be sent to "
                              "(active, written by hand).")
    return [found[s] for s in dict.fromkeys(slugs)]


def find(user, pk: int, *, lock: bool = False) -> Article:
    """The article if this integration may see it; 404 otherwise (existence not confirmed)."""
    queryset = Article.objects.select_for_update() if lock else Article.objects.all()
    article = queryset.filter(pk=pk).first()
    if article is None or not policy.can_see(user, article):
        raise Http404("No article with this id that your key may see.")
    return article


def check_version(article: Article, if_match: str | None, *, required: bool) -> None:
    if if_match is None:
        if required:
            raise HttpError(428, "Send If-Match with the article's version (its ETag).")
        return
    wanted = [v.strip() for v in if_match.split(",")]
    if "*" not in wanted and etag(article) not in wanted:
        raise HttpError(412, "The article changed since that version; fetch it and retry.")


class BadDate(ValueError):
    """A publication time that cannot be used (answered 422 `bad_date`)."""


# Times far outside this are typing mistakes, and years before 1900 break date formatting.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_YEARS = 10


def when(value: dt.datetime | None, *, future: bool = False) -> dt.datetime | None:
    """A requested publication time made aware (no offset: the site's time zone) and checked."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # the current (site's) time zone
    now = timezone.now()
    if not EARLIEST <= value <= now + dt.timedelta(days=366 * LATEST_YEARS):
        raise BadDate(f"{value.isoformat()} is not a plausible publication time.")
    if future and value <= now:
        raise BadDate("The scheduled time has passed; choose a time in the future.")
    return value


def check_backdate(user, at: dt.datetime | None) -> None:
    """A past publication time places a story among older ones, which shapes the site's
    listings like the featured flag does: an editor's call (the newsroom offers no backdating
    at all; the Admin API offers it to importers with an editor's key)."""
    if at is not None and at <= timezone.now() and not policy.can_edit_placement(user):
        raise PermissionDenied("Backdating (a past published_at) is an editor's call.")


def note(key, verb: str) -> str:
    return f"{verb} via the API ({key.integration.name})"


def create(key, payload: dict) -> Article:
    user = key.integration.user
    article = Article(kind=payload.get("type") or Article.Kind.ARTICLE)
    if payload.get("id"):
        if Article.objects.filter(external_key=payload["id"]).exists():
            raise HttpError(409, f"An article with id {payload['id']!r} already exists.")
        article.external_key = payload["id"]
    if article.kind == Article.Kind.PAGE and not policy.can_edit_placement(user):
        raise HttpError(403, "Standing pages are editors' calls.")
    status = payload.get("status") or "draft"
    at = when(payload.get("published_at"), future=status == "scheduled")
    if at is not None and status not in ("published", "scheduled"):
        raise BadDate("published_at goes with status published (a past time backdates, a "
                      "future one schedules) or scheduled.")
    if status == "scheduled" and at is None:
        raise BadDate("A scheduled article needs published_at.")
    if status == "published":
        check_backdate(user, at)
    fields = fields_from(payload, article)
    if status in ("published", "scheduled"):
        return newsroom.publish(user, article, fields, at=at, backdate=True)
    if status == "review":
        return newsroom.submit_for_review(user, article, fields)
    return newsroom.save(user, article, fields, note=note(key, "created"))


def fingerprint(request) -> str:
    return hashlib.sha256(request.method.encode() + request.path.encode() + b"\n"
                          + request.body).hexdigest()


def idempotent(key, idempotency_key: str | None, print_: str, make):
    """Run `make()` (→ (status, body)) once per key; a retry gets (status, body, replayed=True)."""
    if not idempotency_key:
        return (*make(), False)
    if len(idempotency_key) > 200:
        raise ValidationError("Idempotency-Key is at most 200 characters.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    integration=key.integration, key=idempotency_key, fingerprint=print_)
        except IntegrityError:
            record = None
        if record is None:
            earlier = IdempotencyRecord.objects.get(integration=key.integration,
                                                    key=idempotency_key)
            if earlier.fingerprint != print_:
                raise HttpError(422, "This Idempotency-Key was used for a different request.")
            return earlier.status, json.loads(json.dumps(earlier.response)), True
        status, body = make()
        record.status, record.response = status, body
        record.save(update_fields=["status", "response"])
        return status, body, False
