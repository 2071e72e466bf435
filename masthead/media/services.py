"""Writes to the media library: `store_upload` (the only way an uploaded image gets in).

Validation and re-encoding happen entirely in memory (`processing`) before anything touches the
disk or the database, so a rejected upload leaves no row and no file behind. Files get a
random part in their names, which makes every URL immutable and safe to cache for a year.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import processing
from .models import Image
from .processing import ImageRejected

__all__ = ["ImageRejected", "check_upload", "discard", "limits", "read_upload", "store_upload"]


def limits() -> dict:
    """The upload limits from settings (read on each call so tests can change them)."""
    return {
        "max_bytes": getattr(settings, "MASTHEAD_MEDIA_MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
        "max_pixels": getattr(settings, "MASTHEAD_MEDIA_MAX_PIXELS", 40_000_000),
        "widths": tuple(getattr(settings, "MASTHEAD_MEDIA_RENDITION_WIDTHS",
                                processing.DEFAULT_WIDTHS)),
    }


def read_upload(upload) -> bytes:
    """The bytes of an UploadedFile, refusing oversized ones before reading them all."""
    max_bytes = limits()["max_bytes"]
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImageRejected(
            f"The file is {size / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB."
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected(f"The file is larger than the {max_bytes / 1048576:.0f} MB limit.")
    return data


def check_upload(upload) -> processing.Processed:
    """Validate and re-encode in memory; raises ImageRejected with a message for the user."""
    lim = limits()
    return processing.process(read_upload(upload), max_bytes=lim["max_bytes"],
                              max_pixels=lim["max_pixels"], widths=lim["widths"])


def _base_name(original_name: str) -> str:
    stem = slugify(PurePath(original_name or "image").stem)[:40].strip("-") or "image"
    day = timezone.now()
    return f"images/{day:%Y}/{day:%m}/{stem}-{secrets.token_hex(5)}"


def store_upload(upload, *, user=None, alt: str = "", caption: str = "", credit: str = "",
                 processed: processing.Processed | None = None) -> Image:
    """Add an uploaded image to the library: main file + renditions on disk, one `Image` row.

    `processed` lets a form that already validated the upload (to show errors beside the
    field) hand over the result instead of decoding twice.
    """
    processed = processed or check_upload(upload)
    base = _base_name(getattr(upload, "name", ""))
    written: list[str] = []
    try:
        main_name = default_storage.save(f"{base}.{processed.main.extension}",
                                         ContentFile(processed.main.data))
        written.append(main_name)
        renditions = []
        for rendition in processed.renditions:
            name = default_storage.save(f"{base}-{rendition.width}w.{rendition.extension}",
                                        ContentFile(rendition.data))
            written.append(name)
            renditions.append({"width": rendition.width, "name": name})
        with transaction.atomic():
            image = Image(
                width=processed.main.width, height=processed.main.height,
                alt=alt.strip()[:300], caption=caption.strip()[:500], credit=credit.strip()[:200],
                renditions=renditions,
                uploaded_by=user if getattr(user, "pk", None) else None,
            )
            image.file.name = main_name
            image.save()
    except BaseException:
        remove_files(written)
        raise
    return image


def remove_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass  # already gone; nothing else to undo


def discard(image: Image) -> None:
    """Delete a just-stored image and its files (the write it was uploaded for failed)."""
    remove_files([image.file.name, *[r["name"] for r in image.renditions or []]])
    Image.objects.filter(pk=image.pk).delete()
