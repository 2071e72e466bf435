"""The upload service, the media library page and file serving (issue 5, point 5)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from masthead.media.models import Image
from masthead.media.services import ImageRejected, store_upload
from masthead.newsroom.staff import create_staff_user

from .conftest import files_under, image_bytes


@pytest.fixture
def newsroom(db):
    user, _ = create_staff_user("pic-desk", "author", password="a long enough password 1")
    client = Client()
    client.force_login(user)
    return client


def _upload(name="photo.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, image_bytes("JPEG") if data is None else data,
                              content_type=content_type)


def test_store_upload_writes_main_file_renditions_and_one_row(db, media_root):
    image = store_upload(_upload(data=image_bytes("JPEG", size=(1300, 650))), alt="Blue",
                         caption="A blue field.")
    assert Image.objects.count() == 1
    assert (image.width, image.height) == (1300, 650)
    names = [image.file.name] + [r["name"] for r in image.renditions]
    assert [r["width"] for r in image.renditions] == [480, 800, 1200, 1300]
    assert sorted(media_root / n for n in names) == files_under(media_root)
    assert image.srcset.startswith("/media/images/") and image.srcset.endswith(" 1300w")
    assert image.file.name.endswith(".jpg") and image.renditions[0]["name"].endswith("-480w.webp")


def test_file_names_do_not_keep_the_uploaded_name_unsanitised(db, media_root):
    image = store_upload(_upload(name="../../etc/My Holiday ÉTÉ.png", data=image_bytes("PNG")))
    assert image.file.name.startswith("images/")
    assert "my-holiday-ete-" in image.file.name
    assert all(p.is_relative_to(media_root) for p in files_under(media_root))


def test_non_image_renamed_jpg_is_rejected_and_nothing_is_stored(newsroom, media_root):
    response = newsroom.post("/newsroom/media/", {
        "file": _upload(name="holiday.jpg", data=b"MZ\x90\x00 this is really a program"),
        "alt": "Beach", "caption": "The beach.",
    })
    assert response.status_code == 400
    assert "not a JPEG, PNG, WebP or GIF image" in response.content.decode()
    assert Image.objects.count() == 0
    assert files_under(media_root) == []


def test_oversized_upload_is_rejected_and_nothing_is_stored(newsroom, media_root, settings):
    settings.MASTHEAD_MEDIA_MAX_UPLOAD_BYTES = 50_000
    big = image_bytes("PNG") + b"\x00" * 60_000  # trailing bytes make it 60 KB+
    response = newsroom.post("/newsroom/media/", {"file": _upload("big.png", big, "image/png"),
                                                  "alt": "Big", "caption": "Big."})
    assert response.status_code == 400
    assert "limit" in response.content.decode()
    assert Image.objects.count() == 0 and files_under(media_root) == []


def test_upload_without_alt_text_is_refused(newsroom, media_root):
    response = newsroom.post("/newsroom/media/", {"file": _upload(), "caption": "No alt."})
    assert response.status_code == 400
    assert Image.objects.count() == 0 and files_under(media_root) == []


def test_library_upload_adds_an_image_and_lists_it(newsroom, media_root):
    response = newsroom.post("/newsroom/media/", {"file": _upload(), "alt": "Harbour cranes",
                                                  "caption": "Cranes at dusk.", "credit": "Staff"})
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.alt, image.caption, image.credit) == ("Harbour cranes", "Cranes at dusk.",
                                                        "Staff")
    page = newsroom.get("/newsroom/media/").content.decode()
    assert 'alt="Harbour cranes"' in page and image.thumbnail_url in page


def test_library_upload_while_picking_returns_to_the_editor_with_the_image(newsroom, media_root):
    response = newsroom.post("/newsroom/media/?pick=new", {
        "file": _upload(), "alt": "Harbour", "caption": "Harbour."})
    image = Image.objects.get()
    assert response["Location"] == f"/newsroom/articles/new/?lead_image={image.pk}"


def test_store_upload_raises_for_bad_content(db, media_root):
    with pytest.raises(ImageRejected):
        store_upload(_upload(data=b"not an image"))
    assert files_under(media_root) == []


@pytest.mark.urls("masthead.media.tests.urls")
def test_stored_files_are_served_with_year_long_caching(db, media_root):
    image = store_upload(_upload())
    response = Client().get(image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    rendition = Client().get(image.srcset.split(" ")[0])
    assert rendition["Content-Type"] == "image/webp"


@pytest.mark.urls("masthead.media.tests.urls")
@pytest.mark.parametrize("path", [
    "/media/../secret_key", "/media/images/../../secret_key", "/media/%2e%2e/secret_key",
    "/media/images/2026/01/nothing.jpg", "/media/images/notes.txt", "/media/pagecache/x.jpg",
])
def test_only_stored_images_are_served(db, media_root, path):
    (media_root / "images").mkdir(parents=True)
    (media_root / "images" / "notes.txt").write_text("private")
    assert Client().get(path).status_code == 404
