"""The "Front page" page: editors choose the lead, the top stories' order and section pins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from masthead.articles import curation, reading
from masthead.articles.front_page import front_page_stories
from masthead.articles.models import FrontPageChange

from ..front_page import FrontPageForm, moved
from .common import newsroom_view

HISTORY = 5


@newsroom_view(allowed=curation.can_curate)
def front_page(request):
    sections = reading.navigation_sections()
    chosen = curation.current()
    data = request.POST if request.method == "POST" else None
    status = 200
    if data is not None and data.get("move"):
        data = moved(data, data["move"])
        if data is None:
            messages.error(request, "Unknown move.")
            return render(request, "newsroom/front_page.html",
                          _context(FrontPageForm(sections, chosen)), status=400)
    form = FrontPageForm(sections, chosen, data)
    if data is not None:
        status = 400
        if form.is_valid():
            try:
                curation.set_front_page(request.user, *form.choice())
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Front page saved.")
                return redirect("newsroom:front_page")
    return render(request, "newsroom/front_page.html", _context(form), status=status)


def _context(form) -> dict:
    page = front_page_stories()
    chosen = curation.current()
    curated = {chosen.lead, *chosen.top, *chosen.pins.values()}
    return {
        "form": form, "page": page, "curated": curated,
        "history": FrontPageChange.objects.select_related("created_by")[:HISTORY],
    }
