"""An article's history: the list of revisions, the difference between any two, restore."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from masthead.core.text import is_row_id

from .. import diffs, policy, services
from .common import article_or_404, newsroom_view

SHOWN = 200


@newsroom_view
def revision_list(request, pk: int):
    article = article_or_404(request.user, pk)
    revisions = list(article.revisions.select_related("created_by")[:SHOWN])
    return render(request, "newsroom/revisions.html", {
        "article": article, "revisions": revisions,
        "can_restore": policy.can_edit(request.user, article),
    })


@newsroom_view
def revision_diff(request, pk: int):
    article = article_or_404(request.user, pk)
    ids = [request.GET.get("from", ""), request.GET.get("to", "")]
    if not all(is_row_id(i) for i in ids):
        return HttpResponseBadRequest("Choose two revisions to compare.")
    found = {r.pk: r for r in article.revisions.select_related("created_by").filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        return HttpResponseBadRequest("Those revisions do not belong to this article.")
    older, newer = sorted((found[int(i)] for i in ids), key=lambda r: (r.created_at, r.pk))
    return render(request, "newsroom/revision_diff.html", {
        "article": article, "older": older, "newer": newer,
        "changes": diffs.compare(older, newer),
        "can_restore": policy.can_edit(request.user, article),
    })


@require_POST
@newsroom_view
def revision_restore(request, pk: int, revision_pk: int):
    article = article_or_404(request.user, pk)
    revision = get_object_or_404(article.revisions, pk=revision_pk)
    try:
        services.restore_revision(request.user, article, revision)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    messages.success(request, "Earlier version restored (as a new revision).")
    return redirect("newsroom:article_edit", pk=article.pk)
