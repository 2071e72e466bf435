"""The article list, the editor (new/edit, autosave, publish, schedule), unpublish, and the
editor's helpers: Markdown preview and tag suggestions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from masthead.articles.models import Article, Tag
from masthead.core.html import html_to_text, render_markdown
from masthead.core.text import is_row_id, reading_minutes, word_count
from masthead.media.models import Image

from .. import policy, previews, services
from ..forms import ACTIONS, ArticleForm
from .common import article_or_404, newsroom_view

# Pinning related articles is built by the recommendations app; its panel appears in the
# editor as soon as this template exists (see docs/newsroom.md, "Extension points").
RELATED_PANEL = "recommendations/newsroom_panel.html"
SUCCESS = {
    "save": "Saved.", "review": "Sent for review.", "publish": "Published.",
    "schedule": "Scheduled.",
}


@newsroom_view
def article_list(request):
    articles = policy.articles_for(request.user).select_related("section").prefetch_related(
        "bylines__author").order_by("-updated_at", "-id")
    status = request.GET.get("status", "")
    if status in Article.Status.values:
        articles = articles.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        articles = articles.filter(headline__icontains=query)
    page = Paginator(articles, 50).get_page(request.GET.get("page"))
    return render(request, "newsroom/article_list.html", {
        "page": page, "status": status, "query": query, "statuses": Article.Status.choices,
    })


@newsroom_view(allowed=policy.can_create)
def article_new(request):
    return _editor(request, Article())


@newsroom_view
def article_edit(request, pk: int):
    return _editor(request, article_or_404(request.user, pk))


def _perform(action: str, user, article: Article, form: ArticleForm) -> Article:
    fields, version = form.to_fields(), form.cleaned_data.get("version")
    if action == "autosave":
        return services.autosave(user, article, fields, expected_version=version)
    if action == "review":
        return services.submit_for_review(user, article, fields, expected_version=version,
                                          upload=form.upload)
    if action in ("publish", "schedule"):
        at = form.cleaned_data.get("publish_at") if action == "schedule" else None
        return services.publish(user, article, fields, at=at, expected_version=version,
                                upload=form.upload)
    return services.save(user, article, fields, expected_version=version, upload=form.upload)


def _editor(request, article: Article):
    user = request.user
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action not in ACTIONS:
            return HttpResponseBadRequest("Unknown action.")
        form = ArticleForm(request.POST, request.FILES, user=user, article=article,
                           action=action)
        if form.is_valid():
            try:
                saved = _perform(action, user, article, form)
            except services.EditConflict as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                if action == "autosave":
                    return _autosave_answer(saved)
                messages.success(request, SUCCESS.get(action, "Saved."))
                return redirect("newsroom:article_edit", pk=saved.pk)
        else:
            status = 400
        if action == "autosave":
            errors = [str(e) for errs in form.errors.values() for e in errs]
            return JsonResponse({"saved": False, "errors": errors}, status=status)
    else:
        form = ArticleForm(initial=_initial(request, article), user=user, article=article)
    return render(request, "newsroom/article_edit.html", _editor_context(request, article, form),
                  status=status)


def _autosave_answer(article: Article) -> JsonResponse:
    return JsonResponse({
        "saved": True, "id": article.pk, "version": article.updated_at.isoformat(),
        "saved_at": timezone.localtime(article.updated_at).strftime("%H:%M:%S"),
        "edit_url": reverse("newsroom:article_edit", args=[article.pk]),
    })


def _initial(request, article: Article) -> dict:
    initial = ArticleForm.initial_for(article, request.user)
    picked = request.GET.get("lead_image", "")
    image = Image.objects.filter(pk=picked).first() if is_row_id(picked) else None
    if image is not None:  # chosen in the media library; the editor still has to save
        initial.update(lead_image=image.pk, lead_image_alt=image.alt,
                       lead_image_caption=image.caption)
    return initial


def _body_preview(form: ArticleForm, article: Article) -> str:
    if form.is_bound:
        return render_markdown(form.data.get("body", ""))
    return article.body_html or render_markdown(form.initial.get("body", ""))


def _editor_context(request, article: Article, form: ArticleForm) -> dict:
    user = request.user
    preview_html = _body_preview(form, article)
    words = word_count(html_to_text(preview_html))
    lead_id = form["lead_image"].value()
    lead_id = str(lead_id or "")
    lead_image = Image.objects.filter(pk=lead_id).first() if is_row_id(lead_id) else None
    editable = policy.can_edit(user, article) if article.pk else policy.can_create(user)
    try:
        get_template(RELATED_PANEL)
        related_panel = RELATED_PANEL if article.pk else None
    except TemplateDoesNotExist:
        related_panel = None
    return {
        "article": article, "form": form, "preview_html": preview_html, "words": words,
        "minutes": reading_minutes(words, settings.MASTHEAD_WORDS_PER_MINUTE),
        "lead_image": lead_image, "editable": editable,
        "can_publish": policy.can_publish(user, article),
        "is_live": article.status in policy.LIVE_STATES,
        "autosave": editable and article.status not in policy.LIVE_STATES,
        "share_url": settings.SITE_URL + previews.preview_path(article) if article.pk else "",
        "share_days": previews.max_age() // 86400,
        "share_expires": previews.expires_at() if article.pk else None,
        "share_revoked_at": previews.revoked_at(article) if article.pk else None,
        "public_url": article.get_absolute_url() if article.is_visible else "",
        "related_panel": related_panel, "can_pin_related": policy.can_pin_related(user),
        "revision_count": article.revisions.count() if article.pk else 0,
    }


@require_POST
@newsroom_view
def article_unpublish(request, pk: int):
    article = article_or_404(request.user, pk)
    was_scheduled = article.status == Article.Status.SCHEDULED
    try:
        services.unpublish(request.user, article)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    messages.success(request, "Schedule cancelled; back to draft." if was_scheduled
                     else "Unpublished; back to draft.")
    return redirect("newsroom:article_edit", pk=article.pk)


@require_POST
@newsroom_view
def markdown_preview(request):
    """The editor's live preview: the same renderer as the public page, so what you see is
    what readers get."""
    html = render_markdown(request.POST.get("body", ""))
    words = word_count(html_to_text(html))
    return JsonResponse({
        "html": html, "words": words,
        "minutes": reading_minutes(words, settings.MASTHEAD_WORDS_PER_MINUTE),
    })


@require_GET
@newsroom_view
def tag_suggestions(request):
    query = request.GET.get("q", "").strip()
    if not query:
        return JsonResponse({"tags": []})
    starts = list(Tag.objects.filter(name__istartswith=query).values_list("name", flat=True)[:10])
    more = Tag.objects.filter(name__icontains=query).exclude(name__in=starts)
    names = starts + list(more.values_list("name", flat=True)[: 10 - len(starts)])
    return JsonResponse({"tags": names})
