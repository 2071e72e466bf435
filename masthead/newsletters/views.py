"""Reader pages: /newsletters/ with its sign-up form, confirm, preferences, one-click
unsubscribe, and the public archive.

`/newsletters/subscribe/` is exempt from Django's cookie CSRF check for the reason the comment
form is (docs/decisions/comments-csrf-and-cache.md): the form lives in cached pages shared by
every reader. It checks the Origin instead, and a signed form token, a honeypot and per-IP
limits stand in front of the service. The confirm and preferences pages are per reader (never
cached) and use Django's CSRF token; the unsubscribe POST is exempt because RFC 8058 one-click
POSTs come from mail providers, with the signed link as the proof.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from masthead.comments.views import came_from_this_site
from masthead.core import ratelimit
from masthead.core.clientip import client_ip
from masthead.core.http import private, public

from . import services, tokens
from .mail import IssueMail
from .models import Issue, Newsletter, Subscriber

HONEYPOT = "leave_this_empty"


def _page(request, template: str, context: dict, status: int = 200):
    return private(render(request, template, context, status=status))


@require_GET
def index(request):
    newsletters = Newsletter.objects.filter(is_active=True)
    return public(render(request, "newsletters/index.html", {"newsletters": newsletters}))


def _ip_allowed(request) -> bool:
    # The shared, database-backed counters (every server counts on one row per minute).
    ip = client_ip(request)
    limit = getattr(settings, "MASTHEAD_NEWSLETTERS_SIGNUPS_PER_MINUTE", 5)
    if not ip:
        return True
    return ratelimit.allow(ratelimit.key("newsletter-ip", ip), limit, 60)


@csrf_exempt
@require_POST
def subscribe(request):
    data = request.POST
    values = {"email": data.get("email", ""), "name": data.get("name", ""),
              "chosen": data.getlist("newsletter")}
    context = {"newsletters": Newsletter.objects.filter(is_active=True), "values": values}
    if not came_from_this_site(request):
        return _page(request, "newsletters/refused.html",
                     {"message": "This form must be sent from our site."}, 403)
    if data.get(HONEYPOT):
        # A bot filled the hidden field: answer as if all went well, store nothing.
        return _page(request, "newsletters/check_inbox.html", {})
    try:
        tokens.check_form_token(data.get("form_token", ""))
    except tokens.TokenError as exc:
        return _page(request, "newsletters/index.html", {**context, "message": str(exc)}, 400)
    if not _ip_allowed(request):
        return _page(request, "newsletters/refused.html",
                     {"message": "Too many sign-ups from your network. Please try again in a "
                                 "minute."}, 429)
    try:
        services.subscribe(values["email"], values["chosen"], name=values["name"])
    except services.NewsletterError as exc:
        return _page(request, "newsletters/index.html",
                     {**context, "errors": {exc.field: str(exc)}}, 400)
    return _page(request, "newsletters/check_inbox.html", {})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        subscriber_id, nonce = tokens.read_confirm_token(token)
    except tokens.TokenError as exc:
        return _page(request, "newsletters/refused.html", {"message": str(exc)}, 400)
    if request.method == "GET":
        # Mail scanners follow links: only the button's POST confirms.
        return _page(request, "newsletters/confirm.html", {})
    try:
        subscriber = services.confirm(subscriber_id, nonce)
    except services.NewsletterError as exc:
        return _page(request, "newsletters/refused.html", {"message": str(exc)}, 400)
    return _page(request, "newsletters/confirmed.html", {
        "preferences_token": tokens.preferences_token(subscriber)})


def _subscriber(subscriber_id: int, tag: str) -> Subscriber:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not tokens.tag_matches(subscriber, tag):
        raise services.NewsletterError("This link is not valid.")
    return subscriber


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    try:
        subscriber = _subscriber(*tokens.read_preferences_token(token))
    except (tokens.TokenError, services.NewsletterError) as exc:
        return _page(request, "newsletters/refused.html", {"message": str(exc)}, 400)
    message, status = "", 200
    if request.method == "POST":
        try:
            services.set_preferences(subscriber, request.POST.getlist("newsletter"),
                                     name=request.POST.get("name"))
            message = "Your choices are saved."
        except services.NewsletterError as exc:
            message, status = str(exc), 400
        subscriber.refresh_from_db()
    chosen = set(subscriber.subscriptions.values_list("newsletter__slug", flat=True))
    return _page(request, "newsletters/preferences.html", {
        "subscriber": subscriber, "chosen": chosen, "message": message,
        "newsletters": Newsletter.objects.filter(is_active=True)}, status)


@csrf_exempt  # RFC 8058: the POST comes from the mail provider; the signed link is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        sid, newsletter_id, tag = tokens.read_unsubscribe_token(token)
        subscriber = _subscriber(sid, tag)
    except (tokens.TokenError, services.NewsletterError) as exc:
        return _page(request, "newsletters/refused.html", {"message": str(exc)}, 400)
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    if request.method == "GET":
        return _page(request, "newsletters/unsubscribe.html", {"newsletter": newsletter})
    services.unsubscribe(subscriber, newsletter_id)
    return _page(request, "newsletters/unsubscribed.html", {
        "newsletter": newsletter,
        "preferences_token": tokens.preferences_token(subscriber)})


@require_GET
def archive(request, slug: str):
    newsletter = get_object_or_404(Newsletter, slug=slug, is_active=True)
    if not newsletter.public_archive:
        raise Http404("This newsletter has no public archive")
    issues = newsletter.issues.filter(status=Issue.Status.SENT)
    return public(render(request, "newsletters/archive.html",
                         {"newsletter": newsletter, "issues": issues}))


@require_GET
def issue(request, slug: str, pk: int):
    found = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk,
                              newsletter__slug=slug, status=Issue.Status.SENT)
    if not found.newsletter.public_archive:
        raise Http404("This newsletter has no public archive")
    return public(render(request, "newsletters/issue.html",
                         IssueMail(found).context(web=True)))
