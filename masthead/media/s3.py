"""The S3-compatible backend: django-storages' S3Storage as Masthead needs it.

Configured from MASTHEAD_STORAGE_URL by `masthead.config.storage_options`; Django imports this
module only when that is set (STORAGES["default"]), so a site on a filesystem never loads
boto3. docs/decisions/0006-media-storage.md says why each setting below is what it is.
"""

from __future__ import annotations

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

from masthead.config import ConfigError

from .storage import CACHE_CONTROL, StorageUnavailable, StoredFile


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

    def delete(self, name):
        try:
            super().delete(name)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(f"{self.describe()}: {exc}") from exc
