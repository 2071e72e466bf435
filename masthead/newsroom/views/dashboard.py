"""The newsroom home: drafts, work waiting for review, the schedule, recent publications and
comments awaiting moderation."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from masthead.articles.models import Article

from .. import policy
from .common import newsroom_view

LIMIT = 10


def comment_counts() -> dict:
    """Counts from the comments app's moderation queue.

    Falls back to counting pending comments directly while `queue_counts` is not there
    (the moderation queue is built separately; see docs/newsroom.md).
    """
    try:
        from masthead.comments.services import queue_counts
    except ImportError:
        from masthead.comments.models import Comment

        return {"pending": Comment.objects.filter(status="pending").count()}
    return dict(queue_counts())


@newsroom_view
def dashboard(request):
    user = request.user
    mine = policy.articles_for(user).select_related("section")
    context = {
        "drafts": mine.filter(status=Article.Status.DRAFT).order_by("-updated_at")[:LIMIT],
        "in_review": mine.filter(status=Article.Status.REVIEW).order_by("-updated_at")[:LIMIT],
        "scheduled": mine.filter(status=Article.Status.SCHEDULED,
                                 published_at__gt=timezone.now()).order_by("published_at"),
        "recent": mine.published().order_by("-published_at")[:LIMIT],
        "can_moderate": policy.can_moderate(user),
    }
    if context["can_moderate"]:
        counts = comment_counts()
        context["comment_counts"] = counts
        context["comments_pending"] = counts.get("pending", 0)
    return render(request, "newsroom/dashboard.html", context)
