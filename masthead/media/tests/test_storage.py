"""Media on shared storage (issue 14, item 5): the same uploads, renditions, serving and deletion
on a directory (MASTHEAD_MEDIA_DIR) and in an S3 bucket (MASTHEAD_STORAGE_URL), the latter
against a real S3-compatible server (rclone serve s3, see tests/s3server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from masthead.articles.models import Article
from masthead.media.models import Image
from masthead.media.services import stored_names
from masthead.media.storage import CACHE_CONTROL
from masthead.newsroom.staff import create_staff_user
from tests.s3server import free_port

from .conftest import image_bytes

pytestmark = pytest.mark.urls("masthead.media.tests.urls")


class Backend:
    """What the test needs to know of where files went, for either kind of storage."""

    def __init__(self, kind: str, root: Path, server=None):
        self.kind, self.root, self.server = kind, root, server

    def names(self) -> list[str]:
        if self.server is not None:
            return self.server.keys()
        if not self.root.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())

    def read(self, name: str) -> bytes:
        if self.server is not None:
            return self.server.client().get_object(Bucket=self.server.bucket,
                                                   Key=name)["Body"].read()
        return (self.root / name).read_bytes()


@pytest.fixture(params=["dir", "s3"])
def backend(request, settings, tmp_path):
    if request.param == "s3":
        server = request.getfixturevalue("s3_media")
        return Backend("s3", Path(settings.MEDIA_ROOT), server)
    settings.MEDIA_ROOT = tmp_path / "shared-media"
    return Backend("dir", settings.MEDIA_ROOT)


def _client(role: str, name: str) -> Client:
    user, _ = create_staff_user(name, role, password="a long enough password 1")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def author(db):
    return _client("author", "pic-desk")


@pytest.fixture
def editor(db):
    return _client("editor", "picture-editor")


def _upload(client: Client) -> Image:
    upload = SimpleUploadedFile("harbour.jpg", image_bytes("JPEG", size=(1300, 650)),
                                content_type="image/jpeg")
    response = client.post("/newsroom/media/", {"file": upload, "alt": "Harbour cranes",
                                                "caption": "Cranes at dusk."})
    assert response.status_code == 302, response.content.decode()[:500]
    return Image.objects.get()


def test_upload_stores_the_original_and_every_rendition_there(author, backend, settings):
    image = _upload(author)
    assert [r["width"] for r in image.renditions] == [480, 800, 1200, 1300]
    assert backend.names() == sorted(stored_names(image))
    assert backend.read(image.file.name)[:2] == b"\xff\xd8"
    assert all(backend.read(r["name"])[8:12] == b"WEBP" for r in image.renditions)
    # Same URLs whatever the storage: pages cached with them stay valid after a move.
    assert image.url == f"/media/{image.file.name}"
    assert image.srcset.startswith("/media/images/") and image.srcset.endswith(" 1300w")
    if backend.kind == "s3":
        assert not Path(settings.MEDIA_ROOT).exists()  # nothing on this server's disk


def test_stored_media_is_served_with_year_long_caching(author, backend):
    image = _upload(author)
    for name in stored_names(image):
        response = Client().get(f"/media/{name}")
        assert response.status_code == 200
        assert response["Cache-Control"] == CACHE_CONTROL
        assert response["Content-Type"] == ("image/jpeg" if name.endswith(".jpg")
                                            else "image/webp")
        body = b"".join(response.streaming_content)
        assert body == backend.read(name)
        assert response["Content-Length"] == str(len(body))
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_objects_carry_the_cache_header_for_a_cdn_in_front_of_the_bucket(author, s3_media):
    image = _upload(author)
    head = s3_media.client().head_object(Bucket=s3_media.bucket, Key=image.file.name)
    assert head["CacheControl"] == CACHE_CONTROL and head["ContentType"] == "image/jpeg"


def test_deleting_an_image_removes_every_stored_file(author, editor, backend):
    image = _upload(author)
    assert len(backend.names()) == 5
    response = editor.post(f"/newsroom/media/{image.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/newsroom/media/"
    assert not Image.objects.exists()
    assert backend.names() == []
    assert Client().get(image.url).status_code == 404


def test_an_image_an_article_shows_is_not_deleted(author, editor, backend):
    image = _upload(author)
    Article.objects.create(headline="Cranes", slug="cranes", lead_image=image)
    inline = _upload_second(author)
    Article.objects.create(headline="Inline", slug="inline",
                           body=f"Look: ![cranes]({inline.srcset.split(' ')[0]})")
    for target in (image, inline):
        response = editor.post(f"/newsroom/media/{target.pk}/delete/", follow=True)
        assert "is used by" in response.content.decode()
    assert Image.objects.count() == 2
    assert backend.names() == sorted(stored_names(image) + stored_names(inline))


def _upload_second(client: Client) -> Image:
    upload = SimpleUploadedFile("inline.png", image_bytes("PNG"), content_type="image/png")
    client.post("/newsroom/media/", {"file": upload, "alt": "Inline", "caption": "Inline."})
    return Image.objects.get(alt="Inline")


def test_authors_may_not_delete_images(author, backend):
    image = _upload(author)
    assert author.post(f"/newsroom/media/{image.pk}/delete/").status_code == 403
    assert author.get(f"/newsroom/media/{image.pk}/delete/").status_code == 405
    assert len(backend.names()) == 5


def test_a_missing_object_is_404(s3_media, db):
    assert Client().get("/media/images/2026/01/nothing-0123456789.jpg").status_code == 404


def test_an_unreachable_store_answers_503_that_no_cache_keeps(db, settings, monkeypatch):
    from masthead import config

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "masthead-test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "masthead-test-secret-key")
    url = f"s3://gone?endpoint_url=http://127.0.0.1:{free_port()}"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "masthead.media.s3.ObjectStorage", "OPTIONS": config.storage_options(url)}}
    response = Client().get("/media/images/2026/01/photo-0123456789.jpg")
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store" and response["Retry-After"]


def test_media_url_points_image_urls_at_a_cdn_for_either_storage(author, backend, settings):
    settings.MEDIA_URL = "https://cdn.example.net/media/"
    image = _upload(author)
    assert image.url == f"https://cdn.example.net/media/{image.file.name}"
    assert image.srcset.startswith("https://cdn.example.net/media/images/")


def test_is_shared_tells_a_data_dir_from_shared_storage(settings, tmp_path, request):
    from masthead.media.storage import is_shared

    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    assert not is_shared()  # each server's own data dir: what `check --deploy` should flag
    settings.MEDIA_ROOT = tmp_path / "nfs"
    assert is_shared()
    request.getfixturevalue("s3_media")
    assert is_shared()
