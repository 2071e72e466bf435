"""The newsroom's comment moderation queue (/newsroom/comments/): thin views over `moderation`.

List with filters (state, text, article) ordered by spam score, bulk approve/spam/trash, edit,
reply as staff. Staff only (`comments.moderate_comment`); every page is private, and shows
no commenter email — moderators judge the words, the filter score and the hold reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from masthead.core.http import private
from masthead.core.text import is_row_id

from . import reasons, services
from .models import Comment
from .moderation import ACTIONS

PAGE_SIZE = 50
BULK_ACTIONS = {"approve": "approved", "spam": "marked as spam", "trash": "moved to the trash",
                "pending": "moved back to pending"}


def moderator_required(view):
    return login_required(permission_required("comments.moderate_comment",
                                               raise_exception=True)(view))


def _back(request, fallback: str | None = None):
    target = request.POST.get("next") or fallback or reverse("moderation:queue")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("moderation:queue")
    return HttpResponseRedirect(target)


@moderator_required
def queue(request):
    status = request.GET.get("status", Comment.Status.PENDING)
    if status not in Comment.Status.values:
        status = ""  # "all"
    search = request.GET.get("q", "").strip()[:200]
    article = request.GET.get("article", "")
    sort = request.GET.get("sort", "")
    comments = services.queue(status or None, search=search,
                              article_id=int(article) if is_row_id(article) else None, sort=sort)
    page = Paginator(comments, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = services.queue_counts()
    reasons.annotate(page.object_list)
    return private(render(request, "comments/moderation/queue.html", {
        "page": page,
        "comments": page.object_list,
        "tabs": [(value, label, counts[value]) for value, label in Comment.Status.choices],
        "status": status,
        "search": search,
        "article_filter": article if is_row_id(article) else "",
        "sort": sort,
        "actions": BULK_ACTIONS,
    }))


@moderator_required
@require_POST
def bulk(request):
    single = request.POST.get("single", "")
    if ":" in single:
        action, _, one = single.partition(":")
        ids = [one]
    else:
        action, ids = request.POST.get("action", ""), request.POST.getlist("ids")
    ids = [i for i in ids if is_row_id(i)]
    if action not in BULK_ACTIONS or not ids:
        messages.error(request, "Choose an action and at least one comment.")
        return _back(request)
    try:
        changed = services.moderate(ids, action, user=request.user)
    except services.ModerationError as exc:
        messages.error(request, str(exc))
        return _back(request)
    messages.success(request, f"{len(changed)} comment{'s' if len(changed) != 1 else ''} "
                              f"{BULK_ACTIONS[action]}.")
    return _back(request)


@moderator_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.edit_comment(
                comment, author_name=request.POST.get("author", ""),
                author_url=request.POST.get("url", ""), body=request.POST.get("comment", ""),
                user=request.user,
            )
            status = request.POST.get("status", comment.status)
            action = {v: k for k, v in ACTIONS.items()}.get(status)
            if status != comment.status and action:
                services.moderate([comment.pk], action, user=request.user)
            messages.success(request, "Comment saved.")
            return _back(request)
        except services.ModerationError as exc:
            error = str(exc)
    return private(render(request, "comments/moderation/edit.html", {
        "comment": comment, "error": error, "statuses": Comment.Status.choices,
        "next": request.GET.get("next", ""),
    }, status=400 if error else 200))


@moderator_required
@require_http_methods(["GET", "POST"])
def reply(request, pk: int):
    parent = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.reply_as_staff(parent, request.POST.get("comment", ""), user=request.user)
            messages.success(request, "Reply published.")
            return _back(request)
        except services.ModerationError as exc:
            error = str(exc)
    return private(render(request, "comments/moderation/reply.html", {
        "parent": parent, "error": error, "next": request.GET.get("next", ""),
    }, status=400 if error else 200))
