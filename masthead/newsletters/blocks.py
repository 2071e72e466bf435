"""The sign-up form that article and section pages carry (`{{ newsletter_form() }}`).

Part of cached pages, so it holds nothing per reader: the newsletters on offer and a signed
form token that only says "issued by us, at this time" (tokens.py).
"""

from __future__ import annotations

import time

from django.templatetags.static import static
from django.urls import reverse

from . import tokens
from .models import Newsletter

# The newsletters on offer, kept per process for OFFER_SECONDS: every uncached article and
# section page shows the form, and a query for a list that changes a few times a year cost each
# of them a database round trip (issue 14's budget: 7 per uncached article). A change made in
# this process is seen at once (`forget_offer`); on another server within OFFER_SECONDS, which
# is also how long nothing else holds it: cached pages carry the form until they are purged.
OFFER_SECONDS = 30.0
_offer: tuple[float, list] = (float("-inf"), [])


def on_offer() -> list[Newsletter]:
    global _offer
    now = time.monotonic()
    if now - _offer[0] > OFFER_SECONDS:
        _offer = (now, list(Newsletter.objects.filter(is_active=True)))
    return _offer[1]


def forget_offer(**kwargs) -> None:
    global _offer, _form
    _offer = (float("-inf"), [])
    _form = (float("-inf"), "")


# The rendered form itself, for the same time: it holds nothing per reader (its token says
# only "issued by us, at this time", and a cached page holds one for hours), and rendering it
# with a fresh token was a sixth of an uncached article page's added cost this session.
_form: tuple[float, str] = (float("-inf"), "")


def cached_form(render) -> str:
    global _form
    now = time.monotonic()
    if now - _form[0] > OFFER_SECONDS:
        _form = (now, render())
    return _form[1]


def form_context(context) -> dict:
    """The form's data; after a refused POST the page's context holds the reader's input."""
    return {"newsletters": on_offer(), "form_token": tokens.issue_form_token(),
            "values": context.get("values") or {}, "errors": context.get("errors") or {},
            "message": context.get("message") or "",
            "form_action": reverse("newsletters:subscribe"),
            "css": static("newsletters/newsletters.css")}
