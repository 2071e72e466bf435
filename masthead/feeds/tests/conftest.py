"""Feeds fixtures: a small site (visible stories, a page, a draft, a scheduled story) and
lead images, one stored by us and one known only by its original URL."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from masthead.media.models import Image

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def jsonfeed_schema() -> dict:
    return json.loads((HERE / "jsonfeed-1.1.schema.json").read_text("utf-8"))


@pytest.fixture
def stored_image(db):
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 6), "navy").save(buffer, format="PNG")
    image = Image(alt="A harbour crane")
    image.file.save("crane.png", ContentFile(buffer.getvalue()), save=True)
    return image


@pytest.fixture
def site(make_article, stored_image):
    """Named articles of every kind; only `stories` should ever reach a feed."""
    remote = Image.objects.create(original_url="https://cdn.example.org/photos/ship.jpg")
    now = timezone.now()
    older = make_article(
        "Ships wait outside Brennhaven", section="World", tags=("Ports", "Strikes"),
        authors=("Ingrid Solberg", "Tomasz Wren"), lead_image=remote,
        standfirst="Thirty ships at anchor.", published_at=now - dt.timedelta(hours=5),
        body="Read [our earlier report](/2020/01/02/earlier/) and ![a crane](/media/c.png).",
    )
    newer = make_article(
        "Dockworkers & crane makers talk", section="World", tags=("Ports",),
        authors=("Ingrid Solberg",), lead_image=stored_image, standfirst="",
        published_at=now - dt.timedelta(hours=1), body="Talks began at **noon**.",
    )
    science = make_article("Comet brightens", section="Science", tags=("Space",),
                           authors=("Ada Reporter",), published_at=now - dt.timedelta(hours=3))
    page = make_article("About us", kind="page", section=None)
    draft = make_article("Draft story", status="draft", section="World", tags=("Ports",))
    scheduled = make_article("Tomorrow's story", status="scheduled", section="World",
                             tags=("Ports",), published_at=now + dt.timedelta(days=1))
    return {"stories": [newer, science, older], "older": older, "newer": newer,
            "science": science, "page": page, "draft": draft, "scheduled": scheduled}
