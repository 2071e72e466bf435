"""The favicon and app icons: committed files equal to what `core/icons.py` draws, linked from
every page, and `/favicon.ico` answering at the root (issue 16)."""

from __future__ import annotations

import io

import pytest
from django.contrib.staticfiles import finders
from lxml import html as lxml_html
from PIL import Image, ImageChops, ImageStat

from masthead.core import icons


def test_committed_icons_are_what_the_drawing_makes():
    made = icons.render()
    assert sorted(p.name for p in icons.ICON_DIR.iterdir()) == sorted(made)
    for name, data in made.items():
        committed = (icons.ICON_DIR / name).read_bytes()
        if name.endswith((".svg", ".webmanifest")):
            assert committed == data, name
            continue
        # PNG/ICO bytes depend on the zlib and Pillow build; the pixels must not drift.
        ours, theirs = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(committed))
        assert ours.size == theirs.size, name
        diff = ImageChops.difference(ours.convert("RGBA"), theirs.convert("RGBA"))
        assert max(ImageStat.Stat(diff).mean) < 1.0, name


def test_icons_have_the_sizes_browsers_ask_for():
    ico = Image.open(icons.ICON_DIR / "favicon.ico")
    assert sorted(ico.info["sizes"]) == [(16, 16), (32, 32), (48, 48)]
    for name, size in icons.PNG_SIZES.items():
        assert Image.open(icons.ICON_DIR / name).size == (size, size)
    # The letter is light on dark: the middle of the M's left stem is paper, a corner is ink.
    big = Image.open(icons.ICON_DIR / "icon-512.png").convert("RGB")
    assert big.getpixel((120, 256)) == (0xfd, 0xfc, 0xf9)
    assert big.getpixel((256, 20)) == (0x1b, 0x1b, 0x1b)


@pytest.mark.django_db
def test_favicon_ico_answers_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content == (icons.ICON_DIR / "favicon.ico").read_bytes()
    assert "public" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_reader_and_newsroom_pages_link_the_icons(client, django_user_model):
    from masthead.newsroom.roles import assign_role

    user = django_user_model.objects.create_user("icon-editor", password="x" * 12)
    assign_role(user, "editor")
    pages = [client.get("/").content]
    client.force_login(user)
    pages.append(client.get("/newsroom/").content)
    for content in pages:
        doc = lxml_html.fromstring(content)
        links = [(link.get("rel"), link.get("href")) for link in doc.xpath("//head/link")]
        assert [rel for rel, _ in links].count("icon") == 2  # the .ico and the SVG
        for rel, href in links:
            if "icon" in rel or rel == "manifest":
                name = href.split("/static/", 1)[1]
                assert finders.find(name) or finders.find(_unhashed(name)), href


def _unhashed(name: str) -> str:
    """`masthead/icons/favicon.abc123.ico` → `masthead/icons/favicon.ico` (manifest storage)."""
    stem, _, ext = name.rpartition(".")
    base, _, _digest = stem.rpartition(".")
    return f"{base}.{ext}" if base else name
