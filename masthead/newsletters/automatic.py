"""Automatic issues: the daily or weekly digest, and the stories of chosen sections.

`make_due_issues` is a periodic sweep every worker runs (settings.MASTHEAD_BACKGROUND_JOBS).
An issue covers a period ("2026-12-04" daily, "2026-W49" weekly) that is unique per newsletter
in the database, so of several workers racing, one creates and sends it; the others hit the
constraint and move on. Times are the newsroom's (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.articles.models import Article

from . import services
from .models import Issue, Newsletter

log = logging.getLogger("masthead.newsletters")
MAX_STORIES = 10


def period_due(newsletter: Newsletter, now: dt.datetime) -> str:
    """The period whose issue is due at `now`, or "" when none is (before the hour)."""
    local = timezone.localtime(now)
    if local.hour < newsletter.send_hour:
        return ""
    if newsletter.cadence == Newsletter.Cadence.WEEKLY:
        if local.weekday() != newsletter.weekday:
            return ""
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def stories_for(newsletter: Newsletter, now: dt.datetime) -> list[int]:
    last = newsletter.issues.exclude(period="").order_by("-created_at").first()
    span = dt.timedelta(days=7 if newsletter.cadence == Newsletter.Cadence.WEEKLY else 1)
    since = last.created_at if last else now - span
    articles = Article.objects.published(now).filter(kind=Article.Kind.ARTICLE,
                                                     published_at__gt=since)
    if newsletter.kind == Newsletter.Kind.SECTIONS:
        articles = articles.filter(section__in=newsletter.sections.all())
    return list(articles.order_by("-featured", "-published_at")
                .values_list("pk", flat=True)[:MAX_STORIES])


def make_due_issues(now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    made = []
    for newsletter in Newsletter.objects.filter(is_active=True).exclude(
            kind=Newsletter.Kind.MANUAL):
        period = period_due(newsletter, now)
        if not period or newsletter.issues.filter(period=period).exists():
            continue
        stories = stories_for(newsletter, now)
        if not stories:
            continue  # nothing new: no empty issue
        subject = f"{newsletter.name}: {timezone.localtime(now):%A %-d %B %Y}"
        try:
            with transaction.atomic():
                issue = services.create_issue(newsletter, subject, article_ids=stories,
                                              period=period)
                services.send_issue(issue)
        except IntegrityError:
            continue  # another worker made this period's issue first
        made.append(issue.pk)
        log.info("automatic issue %s of %s (%s)", issue.pk, newsletter.slug, period)
    return made


__all__ = ["make_due_issues", "Issue"]
