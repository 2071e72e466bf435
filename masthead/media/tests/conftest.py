"""Media test helpers: images made with Pillow in memory, and a throw-away MEDIA_ROOT.

The object store fixtures (`s3_server`, `s3_media`) are in the root conftest.py: the
cross-app live tests use them too."""

from __future__ import annotations

import io

import pytest
from PIL import Image


def image_bytes(fmt="PNG", size=(1000, 600), mode="RGB", color=(10, 120, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_under(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

