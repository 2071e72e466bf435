"""The sign-up form that article and section pages carry (`{{ newsletter_form() }}`).

Part of cached pages, so it holds nothing per reader: the newsletters on offer and a signed
form token that only says "issued by us, at this time" (tokens.py).
"""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import reverse

from . import tokens
from .models import Newsletter


def form_context(context) -> dict:
    """The form's data; after a refused POST the page's context holds the reader's input."""
    newsletters = list(Newsletter.objects.filter(is_active=True))
    return {"newsletters": newsletters, "form_token": tokens.issue_form_token(),
            "values": context.get("values") or {}, "errors": context.get("errors") or {},
            "message": context.get("message") or "",
            "form_action": reverse("newsletters:subscribe"),
            "css": static("newsletters/newsletters.css")}
