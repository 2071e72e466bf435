"""Writes to the media library: `store_upload` (the only way an uploaded image gets in) and
`delete_image` (the only way one goes out, with every stored file).

Validation and re-encoding happen entirely in memory (`processing`) before anything touches the
disk or the database, so a rejected upload leaves no row and no file behind. Files get a
random part in their names, which makes every URL immutable and safe to cache for a year.
"""

from __future__ import annotations

import logging
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

__all__ = ["ImageInUse", "ImageRejected", "check_upload", "delete_image", "discard", "limits",
           "read_upload", "store_upload"]

log = logging.getLogger(__name__)


class ImageInUse(Exception):
    """The image is still shown by an article; the message says which, for the editor."""


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


def remove_files(names) -> list[str]:
    """Delete stored files (missing ones are fine); returns the names that could not go."""
    left = []
    for name in names:
        try:
            default_storage.delete(name)
        except OSError as exc:  # storage.StorageUnavailable too
            # Only an unreferenced file is left behind: logged, never an error for the editor.
            log.warning("media: could not delete %s: %s", name, exc)
            left.append(name)
    return left


def stored_names(image: Image) -> list[str]:
    """Every file of an image: the main file and each rendition."""
    names = [image.file.name] if image.file else []
    return names + [r["name"] for r in image.renditions or []]


def delete_image(image: Image) -> list[str]:
    """Remove an image from the library and its files from storage (disk or bucket).

    Refused while an article shows it (as lead image, or by URL in its body): deleting it
    would break a published page. The row goes first, in its own transaction, and the files
    after it committed, so a failure half-way leaves unused files, never a row whose files
    are gone. Returns the names of files that could not be deleted (logged).
    """
    from masthead.articles.models import Article

    names = stored_names(image)
    with transaction.atomic():
        locked = Image.objects.select_for_update().filter(pk=image.pk).first()
        if locked is None:
            return remove_files(names)  # deleted meanwhile: make sure the files went too
        # Any of its files named in a body counts: the stored name's stem is shared by all.
        stem = PurePath(image.file.name).stem if image.file else ""
        using = Article.objects.filter(lead_image=locked)
        if stem:
            using = using | Article.objects.filter(body__contains=stem)
        titles = list(using.values_list("headline", flat=True).distinct()[:3])
        if titles:
            raise ImageInUse("The image is used by " + ", ".join(f"“{t}”" for t in titles)
                             + "; remove it from there first.")
        locked.delete()
    return remove_files(names)


def discard(image: Image) -> None:
    """Delete a just-stored image and its files (the write it was uploaded for failed)."""
    remove_files(stored_names(image))
    Image.objects.filter(pk=image.pk).delete()
