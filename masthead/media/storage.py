"""Where media files live: the filesystem (data dir or MASTHEAD_MEDIA_DIR) or an S3 bucket.

Owns `open_stored` (one way to read a stored file for serving, whatever the backend),
`verify` (the start-up check behind `masthead serve` and `masthead check`) and `is_shared`.
The S3 backend itself is `masthead.media.s3.ObjectStorage`, imported only when configured:
boto3 and django-storages cost ~35 MB and 0.3 s in every process that loads them.
docs/decisions/0006-media-storage.md says why it is shaped this way.

Image URLs are the same for both backends: MEDIA_URL + the stored name (`/media/images/...`),
served by the app (views.serve). So pages cached with those URLs stay valid when a site moves
from one disk to a bucket, the bucket can stay private, and a CDN can front /media/ unchanged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage

from masthead.config import ConfigError

# Files never change once written (their names carry a random part): caches may keep them.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class StorageUnavailable(OSError):
    """The object store did not answer; the request may succeed later."""


@dataclass
class StoredFile:
    """An open stored file: its bytes as a stream, and what HTTP validators need."""

    stream: IO[bytes]
    size: int | None
    etag: str = ""
    modified: object = None


def open_stored(name: str) -> StoredFile:
    """Open a stored file for reading; FileNotFoundError if there is none by that name."""
    storage = default_storage
    if hasattr(storage, "open_stream"):
        return storage.open_stream(name)
    handle = storage.open(name, "rb")
    return StoredFile(handle, handle.size)


def is_shared() -> bool:
    """True when every server sees the same files: a bucket, or MASTHEAD_MEDIA_DIR set."""
    storage = default_storage
    if hasattr(storage, "open_stream"):
        return True
    default_dir = Path(settings.DATA_DIR) / "media"
    return isinstance(storage, FileSystemStorage) and Path(settings.MEDIA_ROOT) != default_dir


def verify() -> None:
    """Check that media can be stored where configured; ConfigError with one line if not."""
    storage = default_storage
    if hasattr(storage, "check"):
        storage.check()
        return
    root = settings.MEDIA_ROOT
    try:
        os.makedirs(root, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"media directory {root}: {exc.strerror or exc}") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise ConfigError(f"media directory {root} is not writable by this user")
