"""An image uploaded on one server is served by another (issue 14, item 5), for both kinds of
shared storage: an S3 bucket (a real S3-compatible server, rclone) and a shared directory.

Server A is this test process (the newsroom upload through Django's test client, with its own
database); server B is a real `masthead serve` with its own data dir and database, configured
only with the same MASTHEAD_STORAGE_URL or MASTHEAD_MEDIA_DIR. B has no row for the image:
it serves the file because the storage is shared, which is exactly what a second machine sees
before any database replication could matter. Deleting on A makes B answer 404.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from masthead.media.models import Image
from masthead.media.services import stored_names
from masthead.media.storage import CACHE_CONTROL
from masthead.media.tests.conftest import image_bytes
from masthead.newsroom.staff import create_staff_user
from tests.e2e.server import running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers


@pytest.fixture(params=["s3", "dir"])
def shared_storage(request, settings, tmp_path):
    """(environment for server B, the same storage configured in this process)."""
    if request.param == "s3":
        return request.getfixturevalue("s3_media").env
    settings.MEDIA_ROOT = tmp_path / "nfs" / "media"
    return {"MASTHEAD_MEDIA_DIR": str(settings.MEDIA_ROOT)}


def test_an_image_uploaded_on_one_server_is_served_by_another(db, shared_storage, tmp_path):
    editor, _ = create_staff_user("photo-editor", "editor", password="a long enough password 1")
    newsroom = Client()
    newsroom.force_login(editor)
    upload = SimpleUploadedFile("quay.jpg", image_bytes("JPEG", size=(900, 500)),
                                content_type="image/jpeg")
    response = newsroom.post("/newsroom/media/", {"file": upload, "alt": "Quay",
                                                  "caption": "The quay."})
    assert response.status_code == 302
    image = Image.objects.get()
    names = stored_names(image)
    assert len(names) == 4  # 900 px: the main JPEG and WebP at 480, 800 and 900

    with running_server(tmp_path / "server-b", demo=False, extra_env=shared_storage) as b:
        for name in names:
            status, body, headers = _get(f"{b}/media/{name}")
            assert status == 200, body[:300]
            local = b"".join(Client().get(f"/media/{name}").streaming_content)
            assert body == local
            assert headers["Cache-Control"] == CACHE_CONTROL
            assert headers["Content-Type"] == ("image/jpeg" if name.endswith(".jpg")
                                               else "image/webp")
        response = newsroom.post(f"/newsroom/media/{image.pk}/delete/")
        assert response.status_code == 302
        for name in names:
            assert _get(f"{b}/media/{name}")[0] == 404
