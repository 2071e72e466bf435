"""Newsroom actions on articles: permission check, then the articles services, nothing else.

Each action takes the acting user and raises `PermissionDenied` when the policy says no, so
views stay thin and the same rules hold for any caller. Writes go through
`masthead.articles.services` (STYLE habit 4): that is where revisions are kept and the
`article_published` / `article_changed` / `article_unpublished` signals are sent, which in turn
update feeds, sitemaps, search, related articles and caches. Nothing here calls those apps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from masthead.articles import services as articles
from masthead.articles.models import Article, Author, Revision, Section
from masthead.media import services as media
from masthead.media.models import Image

from . import policy, previews

# Fields every writer may set from the editor; PLACEMENT ones only editors (see policy).
CONTENT_FIELDS = ("headline", "slug", "standfirst", "body", "section", "lead_image",
                  "lead_image_alt", "lead_image_caption", "comments_enabled")
PLACEMENT_FIELDS = ("featured", "kind")


class EditConflict(Exception):
    """Someone else saved the article after this editor opened it."""

    def __init__(self, by: str, at: dt.datetime):
        self.by, self.at = by, at
        super().__init__(
            f"{by} saved this article at {timezone.localtime(at):%H:%M:%S} after you opened it. "
            "Copy your changes, reload the page and apply them again."
        )


@dataclass
class Upload:
    """A lead image upload the editor form has already checked (see media.services)."""

    file: object
    processed: object


def author_for(user) -> Author:
    """The user's byline, created and linked on first use."""
    author = Author.objects.filter(user=user).first()
    if author is None:
        author = articles.get_or_create_author(user.get_full_name() or user.get_username())
        if author.user_id is None:
            author.user = user
            author.save(update_fields=["user"])
        else:  # the name belongs to someone else's byline: make the user one of their own
            author = Author.objects.create(
                name=author.name, user=user,
                slug=articles.unique_slug(Author, user.get_username(), max_length=150),
            )
    return author


def _check_version(user, article: Article, expected: dt.datetime | None) -> None:
    """Refuse to overwrite a save made by someone else since the editor loaded the page.

    The user's own later saves (an autosave still in flight when they press Publish) are not
    a conflict: their form holds everything those saves held.
    """
    if article.pk is None or expected is None:
        return
    current = Article.objects.select_for_update().filter(pk=article.pk).values_list(
        "updated_at", flat=True).first()
    if current is None or abs((current - expected).total_seconds()) < 0.001:
        return
    last = Revision.objects.filter(article_id=article.pk).select_related("created_by").first()
    if last is not None and last.created_by_id == user.pk:
        return
    who = last.created_by.get_username() if last and last.created_by else "Someone"
    raise EditConflict(who, current)


def _apply(user, article: Article, fields: dict) -> None:
    for name in CONTENT_FIELDS:
        if name in fields:
            setattr(article, name, fields[name])
    if policy.can_edit_placement(user):
        for name in PLACEMENT_FIELDS:
            if name in fields and fields[name] is not None:
                setattr(article, name, fields[name])


def _require_edit(user, article: Article) -> None:
    allowed = policy.can_edit(user, article) if article.pk else policy.can_create(user)
    if not allowed:
        raise PermissionDenied("You may not change this article.")


def _require_byline(user, article: Article, authors) -> None:
    """Checked for every caller, not only the editor form (policy.byline_problem)."""
    problem = policy.byline_problem(user, article, authors or [])
    if problem:
        raise PermissionDenied(problem)


def _store(user, article: Article, fields: dict, *, note: str, status: str | None = None,
           expected_version=None, upload: Upload | None = None) -> Article:
    """Apply editor fields (and a new lead image) and save once through the articles service."""
    image = None
    if upload is not None:
        image = media.store_upload(
            upload.file, user=user, processed=upload.processed,
            alt=fields.get("lead_image_alt", ""), caption=fields.get("lead_image_caption", ""),
        )
        fields = {**fields, "lead_image": image}
    try:
        with transaction.atomic():
            _check_version(user, article, expected_version)
            _apply(user, article, fields)
            if status:
                article.status = status
            authors = fields.get("authors") or (
                None if article.pk else [author_for(user)]
            )
            _require_byline(user, article, authors)
            saved = articles.save_article(article, user=user, tags=fields.get("tags"),
                                          authors=authors, note=note)
            if "email_newsletters" in fields:
                # In this transaction: the job the publication enqueues reads the choice.
                _choose_newsletters(user, saved, fields["email_newsletters"])
            return saved
    except BaseException:
        if image is not None:  # the article was not saved, so its new image must not linger
            media.discard(image)
        raise


def _choose_newsletters(user, article: Article, newsletters) -> None:
    if not policy.can_send_newsletters(user):
        raise PermissionDenied("You may not send newsletters.")
    from masthead.newsletters import article_mail

    article_mail.choose(article, newsletters)


def save(user, article: Article, fields: dict, *, expected_version=None,
         upload: Upload | None = None, note: str = "") -> Article:
    """Save the editor's changes; the article keeps its status (a live one is updated live)."""
    _require_edit(user, article)
    note = note or ("created" if article.pk is None else "edited")
    return _store(user, article, fields, note=note, expected_version=expected_version,
                  upload=upload)


def autosave(user, article: Article, fields: dict, *, expected_version=None) -> Article:
    """Save a draft in the background. Never for a live article: that would publish half-edits."""
    if article.pk and article.status in policy.LIVE_STATES:
        raise ValidationError("Scheduled and published articles are saved only when you "
                              "press Update.")
    _require_edit(user, article)
    return _store(user, article, fields, note="autosave", expected_version=expected_version)


def submit_for_review(user, article: Article, fields: dict, *, expected_version=None,
                      upload: Upload | None = None) -> Article:
    if article.pk and article.status in policy.LIVE_STATES:
        raise ValidationError("Only drafts can be sent for review.")
    _require_edit(user, article)
    return _store(user, article, fields, note="submitted for review",
                  status=Article.Status.REVIEW, expected_version=expected_version, upload=upload)


def _require_publish(user, article: Article) -> None:
    if not policy.can_publish(user, article):
        raise PermissionDenied("You may not publish this article; send it for review instead.")


def _check_publishable(article: Article, fields: dict) -> None:
    """Checked before anything is written, so a refused publish stores nothing."""
    problems = []
    if not (fields.get("headline", article.headline) or "").strip():
        problems.append("a headline")
    if not (fields.get("body", article.body) or "").strip():
        problems.append("some body text")
    if problems:
        raise ValidationError(f"Before publishing, add {' and '.join(problems)}.")


@transaction.atomic
def publish(user, article: Article, fields: dict | None = None, *, at: dt.datetime | None = None,
            expected_version=None, upload: Upload | None = None,
            backdate: bool = False) -> Article:
    """Save the editor's changes, then publish now or (with `at` in the future) schedule.

    `backdate`: a past `at` publishes with that date (an imported story keeps its date, URL
    and place in listings: the Admin API); otherwise a past `at` is a mistake and refused."""
    _require_edit(user, article)
    _require_publish(user, article)
    if at is not None and at <= timezone.now() and not backdate:
        raise ValidationError("The scheduled time has passed; choose a time in the future.")
    _check_publishable(article, fields or {})
    if fields is not None:
        article = _store(user, article, fields, note="created" if article.pk is None else "edited",
                         expected_version=expected_version, upload=upload)
    already_live = article.status == Article.Status.PUBLISHED and at is None
    if already_live:
        return article  # "Update" on a live article: the save above was the whole action
    return articles.publish_article(article, user=user, at=at)


def unpublish(user, article: Article) -> Article:
    """Take a live article down, or cancel a schedule: it goes back to being a draft."""
    _require_publish(user, article)
    if article.status not in policy.LIVE_STATES:
        raise ValidationError("This article is not published or scheduled.")
    return articles.unpublish_article(article, user=user)


def delete(user, article: Article) -> None:
    """Delete an article for good (editors and admins: `policy.can_delete`)."""
    if not policy.can_delete(user, article):
        raise PermissionDenied("You may not delete this article.")
    articles.delete_article(article, user=user)


def restore_revision(user, article: Article, revision: Revision) -> Article:
    """Bring back an earlier version's content as a new save (the status stays as it is)."""
    if revision.article_id != article.pk:
        raise ValidationError("That revision belongs to another article.")
    _require_edit(user, article)
    data = revision.data or {}
    fields = {k: data[k] for k in ("headline", "slug", "standfirst", "body", "lead_image_alt",
                                   "lead_image_caption", "comments_enabled", "featured", "kind")
              if k in data}
    fields["section"] = Section.objects.filter(pk=data.get("section")).first()
    fields["lead_image"] = Image.objects.filter(pk=data.get("lead_image")).first()
    fields["tags"] = list(data.get("tags") or [])
    by_id = Author.objects.in_bulk(data.get("authors") or [])
    fields["authors"] = [by_id[a] for a in data.get("authors") or [] if a in by_id] or None
    when = timezone.localtime(revision.created_at)
    return _store(user, article, fields, note=f"restored the version of {when:%Y-%m-%d %H:%M}")


def revoke_preview_links(user, article: Article) -> int:
    """Stop every preview link of the article made so far. Whoever may open the article in
    the newsroom can make such a link, so they may also revoke them."""
    if not policy.can_see(user, article):
        raise PermissionDenied("You may not change this article.")
    return previews.revoke(article)
