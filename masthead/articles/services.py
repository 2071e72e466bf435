"""Every write to an article goes through here (STYLE habit 4).

`save_article` renders the body once, keeps the URL unique per day, records a revision, leaves
a redirect behind when the public URL changes and tells the
rest of the system what happened through one of the `signals`, sent inside the transaction so
that their receivers' durable jobs are written with the change (masthead/jobs). `publish_article`,
`schedule_article`, `unpublish_article` and `publish_due_articles` are state changes built on
it. Views, the newsroom, the API, the CLI and importers call these and nothing else.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from masthead.core.html import html_to_text, render_markdown
from masthead.core.signal_handlers import clean_stored_text
from masthead.core.text import clean_text, word_count
from masthead.jobs.registry import enqueue

from . import signals
from .models import Article, Author, Byline, Redirect, Revision, Section, Tag

_suspended = contextvars.ContextVar("masthead_article_signals_suspended", default=False)


@contextlib.contextmanager
def signals_suspended():
    """Bulk imports store thousands of articles; they send one `bulk_import_finished` instead."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _announce(signal, **kwargs) -> None:
    """Send an article signal inside the change's transaction: receivers enqueue durable jobs
    in it (masthead/jobs), which exist exactly when the change committed and run after."""
    if _suspended.get():
        return
    signal.send(sender=Article, **kwargs)


def unique_slug(model, base: str, field: str = "slug", max_length: int = 100, **scope) -> str:
    base = (slugify(base) or "item")[:max_length].strip("-") or "item"
    slug, n = base, 2
    while model.objects.filter(**{field: slug}, **scope).exists():
        suffix = f"-{n}"
        slug, n = base[: max_length - len(suffix)] + suffix, n + 1
    return slug


# Names are cleaned before they are looked up: the save would clean them anyway
# (core/signal_handlers.py), and a look-up by the raw name would miss the stored one and
# then break the unique constraint (found by tests/security/test_text_everywhere.py).
def get_or_create_section(name: str) -> Section:
    name = clean_text(name).strip()[:100]
    found = Section.objects.filter(name__iexact=name).first()
    if found:
        return found
    return Section.objects.create(name=name, slug=unique_slug(Section, name))


def get_or_create_tags(names) -> list[Tag]:
    tags = []
    cleaned = (clean_text(n).strip()[:100] for n in names if n)
    for name in dict.fromkeys(n for n in cleaned if n):
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():  # a savepoint: two saves may add one new tag at once
                    tag = Tag.objects.create(name=name, slug=unique_slug(Tag, name))
            except IntegrityError:
                tag = Tag.objects.filter(name__iexact=name).first()
                if tag is None:
                    raise
        tags.append(tag)
    return tags


def get_or_create_author(name: str, bio: str = "") -> Author:
    name = clean_text(name).strip()[:150] or "Staff"
    found = Author.objects.filter(name=name).first()
    if found:
        return found
    return Author.objects.create(name=name, slug=unique_slug(Author, name, max_length=150),
                                 bio=bio)


def set_authors(article: Article, authors: list[Author]) -> None:
    Byline.objects.filter(article=article).delete()
    Byline.objects.bulk_create(
        [Byline(article=article, author=a, position=i)
         for i, a in enumerate(dict.fromkeys(authors))]
    )


def snapshot(article: Article) -> dict:
    """The editable state of an article, as stored in a revision."""
    return {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "status": article.status,
        "kind": article.kind,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "section": article.section_id,
        "tags": sorted(article.tags.values_list("name", flat=True)) if article.pk else [],
        "authors": list(
            article.bylines.order_by("position").values_list("author_id", flat=True)
        ) if article.pk else [],
        "lead_image": article.lead_image_id,
        "lead_image_alt": article.lead_image_alt,
        "lead_image_caption": article.lead_image_caption,
        "featured": article.featured,
        "comments_enabled": article.comments_enabled,
    }


def _prepare(article: Article) -> None:
    # Cleaned before rendering, not only on save: the renderer cannot encode a lone surrogate.
    clean_stored_text(Article, article)
    article.body_html = render_markdown(article.body)
    article.word_count = word_count(html_to_text(article.body_html))
    if not article.slug:
        article.slug = slugify(article.headline)[:200].strip("-") or "article"
    article.slug = article.slug[:200]
    article.pub_date = (
        timezone.localdate(article.published_at) if article.published_at else None
    )
    if article.pub_date is not None:
        base, n = article.slug, 2
        clash = Article.objects.filter(pub_date=article.pub_date).exclude(pk=article.pk)
        while clash.filter(slug=article.slug).exists():
            suffix = f"-{n}"
            article.slug, n = base[: 200 - len(suffix)] + suffix, n + 1


@transaction.atomic
def save_article(
    article: Article,
    *,
    user=None,
    tags: list[str] | None = None,
    authors: list[Author] | None = None,
    note: str = "",
    keep_revision: bool = True,
    touch: bool = True,
) -> Article:
    """Store an article (new or changed) and announce the change after commit."""
    before = None
    if article.pk:
        before = Article.objects.filter(pk=article.pk).first()
    was_visible = bool(before and before.is_visible)
    # Any URL the article had, even while unpublished: republishing dates it today, and the
    # links to its first URL must then 301 to the new one, not 404 (issue 14).
    old_path = before.get_absolute_url() if before and before.pub_date else None

    _prepare(article)
    if touch or not article.updated_at:
        article.updated_at = timezone.now()
    if article.pk is None and user is not None and getattr(user, "pk", None):
        article.created_by = user
    article.save()
    if tags is not None:
        article.tags.set(get_or_create_tags(tags))
    if authors is not None:
        set_authors(article, authors)

    new_path = article.get_absolute_url()
    if old_path and old_path != new_path:
        Redirect.objects.update_or_create(old_path=old_path, defaults={"article": article})
    Redirect.objects.filter(old_path=new_path).delete()  # a live URL is never a redirect
    if keep_revision:
        Revision.objects.create(
            article=article, created_by=user if getattr(user, "pk", None) else None,
            note=note, data=snapshot(article),
        )

    if article.status == Article.Status.SCHEDULED and article.published_at:
        # Due at its time: a job that becomes ready then publishes it (the workers' periodic
        # sweep is the safety net).
        from . import tasks
        enqueue(tasks.publish_due, run_after=article.published_at)

    now_visible = article.is_visible
    if now_visible and not was_visible:
        _announce(signals.article_published, article=article)
    elif now_visible:
        _announce(signals.article_changed, article=article,
                        previous_paths=[old_path] if old_path else [])
    elif was_visible:
        _announce(signals.article_unpublished, article=article,
                        previous_paths=[old_path])
    return article


def publish_article(article: Article, *, user=None, at: dt.datetime | None = None) -> Article:
    """Publish now, or schedule when `at` is in the future.

    Publishing again an article that readers have seen (unpublished since) restores it with
    its first publication time, so it keeps its URL and its place (issue 14); links to it
    work again. Any other URL change leaves a 301 (save_article)."""
    now = timezone.now()
    keep = article.published_at and article.published_at <= now and (
        article.status == Article.Status.PUBLISHED or _was_public(article))
    when = at or (article.published_at if keep else None) or now
    article.published_at = when
    article.status = Article.Status.SCHEDULED if when > now else Article.Status.PUBLISHED
    return save_article(article, user=user, note="published" if when <= now else "scheduled")


def _was_public(article: Article) -> bool:
    """A revision recorded it published: readers had its URL (a cancelled schedule did not)."""
    return bool(article.pk) and article.revisions.filter(
        data__status=Article.Status.PUBLISHED).exists()


def schedule_article(article: Article, at: dt.datetime, *, user=None) -> Article:
    return publish_article(article, user=user, at=at)


def unpublish_article(article: Article, *, user=None) -> Article:
    article.status = Article.Status.DRAFT
    return save_article(article, user=user, note="unpublished")


@transaction.atomic
def delete_article(article: Article, *, user=None) -> None:
    """Delete an article for good; `article_deleted` is sent first, in the same transaction,
    so receivers can still read what it was (the page cache purges on `pre_delete`)."""
    _announce(signals.article_deleted, article=article, user=user)
    article.delete()


def publish_due_articles(now: dt.datetime | None = None) -> list[int]:
    """Flip due scheduled articles to published; safe to run from many processes at once.

    The conditional UPDATE is the lock: of several processes racing for one article exactly one
    sees a row count of 1, and only that one announces it. Readers already see a due article
    (enforcement on read); this makes the side effects (search, related lists, caches) happen.
    """
    now = now or timezone.now()
    published = []
    for pk in list(Article.objects.due_for_publication(now).values_list("pk", flat=True)):
        with transaction.atomic():
            won = Article.objects.filter(pk=pk, status=Article.Status.SCHEDULED).update(
                status=Article.Status.PUBLISHED
            )
            if won:
                article = Article.objects.get(pk=pk)
                Revision.objects.create(article=article, note="published on schedule",
                                        data=snapshot(article))
                _announce(signals.article_published, article=article)
                published.append(pk)
    return published


def change_taxonomy(obj, **fields) -> None:
    """Rename/re-describe a section, tag or author and tell the caches."""
    old_url = obj.get_absolute_url()
    for name, value in fields.items():
        setattr(obj, name, value)
    with transaction.atomic():
        obj.save()
        signals.taxonomy_changed.send(sender=type(obj), obj=obj, old_url=old_url)
