"""Where media files live: the filesystem (data dir or MASTHEAD_MEDIA_DIR) or an S3 bucket.

Owns `ObjectStorage` (django-storages' S3 backend, configured from MASTHEAD_STORAGE_URL by
`masthead.config.storage_options`), `open_stored` (one way to read a stored file for serving,
whatever the backend) and `verify` (the start-up check behind `masthead serve` and
`masthead check`). docs/decisions/0004-media-storage.md says why it is shaped this way.

Image URLs are the same for both backends: MEDIA_URL + the stored name (`/media/images/...`),
served by the app (views.serve). So pages cached with those URLs stay valid when a site moves
from one disk to a bucket, the bucket can stay private, and a CDN can front /media/ unchanged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

from masthead.config import ConfigError

# Files never change once written (their names carry a random part): caches may keep them.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class StorageUnavailable(Exception):
    """The object store did not answer; the request may succeed later."""


class ObjectStorage(S3Storage):
    """S3-compatible storage whose URLs are MEDIA_URL-based, like the filesystem's.

    Objects are private (no ACL, no signed URLs): readers get them through /media/. Each object
    carries the year-long Cache-Control too, for a CDN or bucket website put straight in front.
    """

    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults.update(
            default_acl=None, querystring_auth=False, file_overwrite=False,
            object_parameters={"CacheControl": CACHE_CONTROL},
        )
        return defaults

    def __init__(self, **options):
        style = options.pop("addressing_style", None) or "auto"
        # Short timeouts and few retries: an upload or a served image should fail in seconds
        # with a clear error, not hang a serving thread for a minute per attempt.
        options.setdefault("client_config", Config(
            s3={"addressing_style": style}, connect_timeout=3, read_timeout=20,
            retries={"mode": "standard", "max_attempts": 3},
        ))
        super().__init__(**options)

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name).lstrip("/")

    def describe(self) -> str:
        where = self.endpoint_url or "AWS"
        return f"bucket {self.bucket_name!r} at {where}"

    def open_stream(self, name: str) -> StoredFile:
        """Stream an object without first copying it to a temporary file (as S3File does)."""
        key = self._normalize_name(name)
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(name) from None
            raise StorageUnavailable(f"{self.describe()}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"{self.describe()}: {exc}") from exc
        return StoredFile(answer["Body"], answer.get("ContentLength"), answer.get("ETag", ""),
                          answer.get("LastModified"))

    def check(self) -> None:
        client = self.connection.meta.client
        try:
            client.head_bucket(Bucket=self.bucket_name)
        except NoCredentialsError:
            raise ConfigError(
                f"MASTHEAD_STORAGE_URL: no credentials for {self.describe()}; set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") from None
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            reason = {403: "access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)",
                      404: "no such bucket"}.get(status, str(exc))
            raise ConfigError(f"MASTHEAD_STORAGE_URL: {self.describe()}: {reason}") from None
        except BotoCoreError as exc:
            raise ConfigError(
                f"MASTHEAD_STORAGE_URL: cannot reach {self.describe()}: {exc}") from None


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
