"""API fixtures: a small published site, plus what must never be served (a draft, a scheduled
story, an author's account email), and articles indexed for search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.articles.models import Author

SECRET_EMAIL = "ingrid.private@example.org"


@pytest.fixture
def site(make_article, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        world = make_article("Ships wait outside Brennhaven", section="World",
                             tags=("Ports", "Strikes"), authors=("Ingrid Solberg",),
                             standfirst="Thirty ships at anchor.",
                             body="The dockworkers' strike entered its third day.",
                             published_at=now - dt.timedelta(hours=5))
        science = make_article("Comet brightens over the harbour", section="Science",
                               tags=("Space",), authors=("Ada Reporter",),
                               body="Astronomers watched the comet brighten.",
                               published_at=now - dt.timedelta(hours=2))
        page = make_article("About us", kind="page", section=None, body="Who we are.")
        draft = make_article("Draft dockworkers story", status="draft", body="strike")
        scheduled = make_article("Scheduled dockworkers story", status="scheduled",
                                 body="strike", published_at=now + dt.timedelta(days=1))
    user = get_user_model().objects.create_user("ingrid", email=SECRET_EMAIL, password="x" * 12)
    Author.objects.filter(name="Ingrid Solberg").update(user=user)
    return {"world": world, "science": science, "page": page, "draft": draft,
            "scheduled": scheduled}


@pytest.fixture
def integration(db):
    """`integration(role)` → (Issued, headers for its Content key, headers for its Admin key)."""
    from itertools import count

    from masthead.integrations.services import create_integration

    n = count(1)

    def make(role: str = "editor", name: str | None = None):
        issued = create_integration(name or f"{role} bot {next(n)}", role)
        return (issued, {"HTTP_AUTHORIZATION": f"Bearer {issued.content_key}"},
                {"HTTP_AUTHORIZATION": f"Bearer {issued.admin_key}"})
    return make
