"""Reader-facing comment URLs: posting, the confirmation link, unsubscribe, a fresh form token.

`/comments/post/` is exempt from Django's cookie-based CSRF check on purpose: the form lives in
article pages that the page cache serves as the same bytes to every reader, so it cannot carry
a per-reader CSRF token. Instead a POST must come from this site (Origin, or Referer when a
browser sends no Origin) and carry a signed form token; the returning-commenter cookie is
SameSite=Lax, so a cross-site POST can never be auto-approved as a regular
(docs/decisions/comments-csrf-and-cache.md).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from masthead.articles.models import Article
from masthead.core.clientip import client_ip
from masthead.core.http import private

from . import services, tokens
from .forms import CommentForm
from .models import Comment

# The largest legitimate form: 5,000 four-byte characters, percent-encoded, plus the rest.
MAX_REQUEST_BYTES = 128 * 1024


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _allowed_origins(request) -> set[str]:
    origins = {_origin(settings.SITE_URL)}
    origins |= {_origin(o) for o in getattr(settings, "CSRF_TRUSTED_ORIGINS", []) if "*" not in o}
    try:
        origins.add(f"{request.scheme}://{request.get_host()}".lower())
    except DisallowedHost:
        pass
    return origins - {""}


def came_from_this_site(request) -> bool:
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return origin.lower() in _allowed_origins(request)
    return _origin(request.META.get("HTTP_REFERER", "")) in _allowed_origins(request)


def refused(request, message: str, status: int, article=None):
    response = render(request, "comments/refused.html",
                      {"message": message, "article": article}, status=status)
    return private(response)


def form_page(request, article, form: CommentForm | None, *, status: int, message: str = "",
              fresh_token: bool = False):
    """The form again, with the reader's input and the errors (nothing was stored)."""
    values = form.kept_values() if form is not None else {}
    if fresh_token:
        values["form_token"] = ""
    response = render(request, "comments/form_page.html", {
        "article": article,
        "comment_form_values": values,
        "comment_form_errors": form.field_errors() if form is not None else {},
        "comment_form_message": message,
    }, status=status)
    return private(response)


def _is_utf8_form(request) -> bool:
    # Django reads a urlencoded body that is not UTF-8 as Latin-1, turning bytes into
    # plausible-looking letters; refuse it rather than store mojibake.
    if request.content_type != "application/x-www-form-urlencoded":
        return True
    try:
        request.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _article(value) -> Article | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return Article.objects.published().filter(pk=pk).first()


def landing_url(comment: Comment) -> str:
    # The query makes the browser fetch the page again rather than reuse its cached copy
    # (which would not show the new comment); the fragment scrolls to it.
    return f"{comment.article.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"


@csrf_exempt
@sensitive_post_parameters("email")
@require_POST
def post_comment(request):
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES
        if not too_big:
            request.POST  # noqa: B018 - parse now so an oversized body is refused here
    except (ValueError, RequestDataTooBig):
        too_big = True
    if too_big:
        return refused(request, "That comment is far too long to accept.", 413)
    if not _is_utf8_form(request):
        return refused(request, "This form was not sent as UTF-8 text; please post it again "
                                "from the article page.", 400)
    if not came_from_this_site(request):
        return refused(request, "This comment did not come from a form on this site. "
                                "Please post it from the article page.", 403)
    article = _article(request.POST.get("article"))
    if article is None:
        return refused(request, "This comment form is for an article that is not published.",
                       400)
    form = CommentForm(request.POST)
    if not form.is_valid():
        problem = form.token_problem()
        message = " ".join(form.non_field_errors()) or "Please correct the marked fields."
        return form_page(request, article, form, status=400, message=message,
                         fresh_token=problem in ("expired", "invalid", "honeypot"))
    data = form.cleaned_data
    submission = services.Submission(
        article=article, author=data["author"], email=data["email"], url=data["url"],
        body=data["comment"], parent_id=data["comment_parent"] or None,
        notify=data["notify"], token=form.token, ip=client_ip(request),
        returning_ids=tokens.returning_ids(request),
    )
    try:
        posted = services.post_comment(submission)
    except services.CommentRefused as exc:
        if exc.status == 403:
            return refused(request, exc.message, 403, article)
        form.add_error(exc.field or None, exc.message)
        return form_page(request, article, form, status=exc.status, message=exc.message)
    comment = posted.comment
    response = HttpResponseRedirect(landing_url(comment), status=303)
    if comment.status in (Comment.Status.PENDING, Comment.Status.SPAM):
        tokens.remember_pending(request, response, comment.pk)
    if comment.status != Comment.Status.SPAM:
        tokens.remember_returning(request, response, comment.pk)
    return private(response)


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows a button (mail scanners follow links; only a person should confirm)."""
    if request.method == "GET":
        valid = tokens.read_confirm_token(token) is not None
        return private(render(request, "comments/confirm.html", {"valid": valid},
                              status=200 if valid else 400))
    try:
        result = services.confirm_address(token)
    except services.ModerationError as exc:
        return refused(request, str(exc), 400)
    response = HttpResponseRedirect(landing_url(result.comment), status=303)
    if result.published:
        tokens.remember_returning(request, response, result.comment.pk)
    return private(response)


@csrf_exempt  # RFC 8058 one-click POSTs come from mail clients; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        services.unsubscribe(token)
    except services.ModerationError as exc:
        return refused(request, str(exc), 400)
    return private(render(request, "comments/unsubscribed.html"))


@require_GET
def form_token(request, article_id: int):
    """A fresh form token for a page that sat in a cache for hours (reply.js asks for it)."""
    article = Article.objects.published().filter(pk=article_id).first()
    if article is None or not services.comments_open(article):
        raise Http404("No open article")
    return private(JsonResponse({"token": tokens.issue_form_token(article.pk)}))
