"""Configuration from the environment: the only module that reads `os.environ`.

Every value is read inside a function, so tests and the CLI can change the environment before
Django's settings are built. The generated secret key lives in the data dir so that it survives
restarts and is shared by all server processes of one machine. Several machines must share
one `MASTHEAD_SECRET_KEY` instead: against PostgreSQL (the multi-server set-up) it is required,
checked by `require_shared_secret()` when a server or worker starts.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None


def env_megabytes(name: str, default: int) -> int:
    """A size in MB: a whole number, zero or more."""
    value = env_int(name, default)
    if value < 0:
        raise ConfigError(f"{name} must be zero or more (megabytes), got {value}")
    return value


SQLITE_PAGE_SIZES = tuple(2**n for n in range(9, 17))  # what SQLite accepts: 512 .. 65536


def sqlite_page_size() -> int:
    """The page size a new SQLite database is created with (an existing one keeps its own).
    16 KB rather than SQLite's 4 KB: reads from disk take a quarter of the pages, which is what
    a search or page pays when the archive no longer fits the kernel's cache (decision 0009)."""
    value = env_int("MASTHEAD_SQLITE_PAGE_SIZE", 16384)
    if value not in SQLITE_PAGE_SIZES:
        raise ConfigError(f"MASTHEAD_SQLITE_PAGE_SIZE must be a power of two from 512 to 65536 "
                          f"(bytes), got {value}")
    return value


def data_dir() -> Path:
    path = Path(env("MASTHEAD_DATA_DIR", "./var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    given = env("MASTHEAD_SECRET_KEY")
    if given:
        return given
    key_file = data_dir() / "secret_key"
    if not key_file.exists():
        # Written once with exclusive create so concurrent first starts agree on one key.
        try:
            with open(key_file, "x", encoding="ascii") as fh:
                fh.write(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        except FileExistsError:
            pass
    return key_file.read_text(encoding="ascii").strip()


def secret_key_fallbacks() -> list[str]:
    """Earlier secret keys, still accepted for signatures and for opening the key ring."""
    return [k.strip() for k in env("MASTHEAD_SECRET_KEY_FALLBACKS").split(",") if k.strip()]


def uses_postgres() -> bool:
    return urlsplit(env("MASTHEAD_DATABASE_URL")).scheme in {"postgres", "postgresql"}


def require_shared_secret() -> None:
    """Refuse to serve several machines with per-machine keys (issue 14).

    A key generated into one server's data dir signs sessions and comment forms that every
    other server refuses. PostgreSQL is how several servers share a site, so there the key must
    be given; on SQLite (one machine) the generated key is right. Called by `masthead serve`
    and `masthead worker` before they start.
    """
    if uses_postgres() and not env("MASTHEAD_SECRET_KEY"):
        raise ConfigError(
            "MASTHEAD_SECRET_KEY must be set (the same on every server) when the database is "
            "PostgreSQL"
        )


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """MASTHEAD_TRUSTED_PROXIES: comma-separated addresses or CIDR ranges."""
    networks = []
    for item in env("MASTHEAD_TRUSTED_PROXIES").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                f"MASTHEAD_TRUSTED_PROXIES: {item!r} is not an address or CIDR range"
            ) from None
    return networks


def site_url() -> str:
    return env("MASTHEAD_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def allowed_hosts() -> list[str]:
    given = env("MASTHEAD_ALLOWED_HOSTS")
    if given:
        return [h.strip() for h in given.split(",") if h.strip()]
    host = urlsplit(site_url()).hostname or "127.0.0.1"
    return sorted({host, "localhost", "127.0.0.1", "[::1]"})


def database() -> dict:
    """Django DATABASES['default'] from MASTHEAD_DATABASE_URL (sqlite:/// or postgres://)."""
    url = env("MASTHEAD_DATABASE_URL") or f"sqlite:///{data_dir() / 'masthead.sqlite3'}"
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/file and sqlite:////absolute/file, as dj-database-url reads them.
        path = unquote(parts.path)
        path = path[1:] if path.startswith("/") else path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or str(data_dir() / "masthead.sqlite3"),
            "OPTIONS": {
                # WAL lets readers proceed during a write; IMMEDIATE avoids the deadlock-prone
                # upgrade from a read to a write lock under several server processes.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # Memory per connection (one per serving thread): SQLite's own page cache,
                # and how much of the file is memory-mapped. Mapped pages a query touched count
                # in the process's RSS although they are the kernel's shared file cache; off by
                # default, reads go through that cache all the same (docs/performance.md).
                # page_size first: it only takes effect on a database with no pages yet, and
                # switching to WAL writes the first page.
                "init_command": (
                    f"PRAGMA page_size={sqlite_page_size()}; "
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; "
                    f"PRAGMA cache_size=-{env_megabytes('MASTHEAD_SQLITE_CACHE_MB', 8) * 1024}; "
                    f"PRAGMA mmap_size={env_megabytes('MASTHEAD_SQLITE_MMAP_MB', 0) * 1024 * 1024};"
                ),
            },
            # Keep each serving thread's connection: reopening it on every request ran the
            # PRAGMAs above again and started each request with an empty page cache.
            "CONN_MAX_AGE": None,
            "TEST": {"NAME": None},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        if parts.hostname is None and parts.netloc:
            raise ConfigError(f"MASTHEAD_DATABASE_URL: cannot read a host from {url!r}")
        try:
            parts.port  # noqa: B018 - urlsplit checks the port only when it is read
        except ValueError:
            raise ConfigError(f"MASTHEAD_DATABASE_URL: bad port in {url!r}") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or "postgres"),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "127.0.0.1",
            "PORT": str(parts.port or 5432),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # PgBouncer in transaction mode hands each transaction to any server connection,
            # so a cursor declared in one is gone in the next: `.iterator()` must then fetch
            # everything with one plain query (docs/deploy.md, PgBouncer).
            "DISABLE_SERVER_SIDE_CURSORS": not server_side_cursors(parts.query),
        }
    raise ConfigError(f"MASTHEAD_DATABASE_URL: unsupported scheme {parts.scheme!r}")


def server_side_cursors(query: str = "") -> bool:
    """On unless MASTHEAD_DATABASE_SERVER_SIDE_CURSORS=0 or the URL says
    `?server_side_cursors=off` (either turns them off for PgBouncer's transaction mode)."""
    options = parse_qs(query)
    if "server_side_cursors" in options:
        value = options["server_side_cursors"][-1].strip().lower()
        if value not in _BOOL_WORDS:
            raise ConfigError(
                f"MASTHEAD_DATABASE_URL: server_side_cursors must be on or off, got {value!r}"
            )
        return value in _TRUE_WORDS
    return env_bool("MASTHEAD_DATABASE_SERVER_SIDE_CURSORS", True)


_TRUE_WORDS = {"1", "true", "yes", "on"}
_BOOL_WORDS = _TRUE_WORDS | {"0", "false", "no", "off"}


def cache() -> dict:
    url = env("MASTHEAD_CACHE_URL")
    if url.startswith(("redis://", "rediss://", "unix://")):
        try:
            urlsplit(url).port  # noqa: B018 - urlsplit checks the port only when it is read
        except ValueError:
            raise ConfigError(f"MASTHEAD_CACHE_URL: bad port in {url!r}") from None
        # Keys are named after rows (a section's listing anchors, say): two sites on one Redis
        # need a prefix each, or one reads the other's.
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "KEY_PREFIX": env("MASTHEAD_CACHE_KEY_PREFIX", "")}
    if url:
        raise ConfigError(f"MASTHEAD_CACHE_URL: unsupported cache URL {url!r}")
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "masthead"}


@dataclass
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False


def email() -> EmailConfig:
    url = env("MASTHEAD_EMAIL_URL", "console")
    if url in {"", "console"}:
        return EmailConfig("django.core.mail.backends.console.EmailBackend")
    if url == "memory":
        return EmailConfig("django.core.mail.backends.locmem.EmailBackend")
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps", "submission"}:
        raise ConfigError(f"MASTHEAD_EMAIL_URL: unsupported scheme {parts.scheme!r}")
    return EmailConfig(
        "django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname or "localhost",
        port=parts.port or (465 if parts.scheme == "smtps" else 587),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=parts.scheme != "smtp" or parts.port == 587,
    )


# --- Media storage (issue 14, item 5; docs/decisions/0006-media-storage.md) -------------------
# MASTHEAD_STORAGE_URL puts uploads in S3-compatible object storage; MASTHEAD_MEDIA_DIR on a
# (shared) filesystem; MASTHEAD_MEDIA_URL points image URLs at a CDN in front of /media/.

_STORAGE_QUERY_KEYS = {"endpoint_url", "region", "addressing_style"}


def media_dir() -> Path:
    given = env("MASTHEAD_MEDIA_DIR")
    return Path(given).resolve() if given else data_dir() / "media"


def media_url() -> str:
    url = env("MASTHEAD_MEDIA_URL") or "/media/"
    parts = urlsplit(url)
    absolute = parts.scheme in {"http", "https"} and parts.hostname
    if not (absolute or (url.startswith("/") and not parts.netloc)):
        raise ConfigError(f"MASTHEAD_MEDIA_URL must be an http(s) URL or a path, got {url!r}")
    return url if url.endswith("/") else url + "/"


def media_storage() -> dict:
    """Django STORAGES['default']: the data dir (or MASTHEAD_MEDIA_DIR), or an S3 bucket."""
    url = env("MASTHEAD_STORAGE_URL")
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if env("MASTHEAD_MEDIA_DIR"):
        raise ConfigError("MASTHEAD_STORAGE_URL and MASTHEAD_MEDIA_DIR are both set; set one")
    return {"BACKEND": "masthead.media.s3.ObjectStorage", "OPTIONS": storage_options(url)}


def storage_options(url: str) -> dict:
    """Options for masthead.media.s3.ObjectStorage from `s3://BUCKET[/PREFIX]?...`."""
    import re
    from urllib.parse import parse_qsl

    name = "MASTHEAD_STORAGE_URL"
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ConfigError(f"{name} must start with s3://, got {url!r}")
    if "@" in parts.netloc:
        # Keys in a URL end up in logs and process lists; boto3 reads them from the environment.
        raise ConfigError(f"{name}: put credentials in AWS_ACCESS_KEY_ID and "
                          "AWS_SECRET_ACCESS_KEY, not in the URL")
    bucket = parts.netloc
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", bucket):
        raise ConfigError(f"{name}: {bucket!r} is not a bucket name (3-63 characters: "
                          "a-z, 0-9, '.', '-')")
    try:
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise ConfigError(f"{name}: cannot read the query string {parts.query!r}") from None
    given = dict(query)
    unknown = sorted({k for k, _ in query} - _STORAGE_QUERY_KEYS)
    if unknown or len(given) != len(query):
        raise ConfigError(f"{name}: unknown or repeated parameter {(unknown or [''])[0]!r} "
                          f"(known: {', '.join(sorted(_STORAGE_QUERY_KEYS))})")
    options = {"bucket_name": bucket, "location": unquote(parts.path).strip("/")}
    endpoint = given.get("endpoint_url", "")
    if endpoint:
        endpoint_parts = urlsplit(endpoint)
        if endpoint_parts.scheme not in {"http", "https"} or not endpoint_parts.hostname:
            raise ConfigError(f"{name}: endpoint_url must be an http(s) URL, got {endpoint!r}")
        options["endpoint_url"] = endpoint.rstrip("/")
    if given.get("region"):
        options["region_name"] = given["region"]
    # Path-style requests work on every S3-compatible server (MinIO, Ceph, rclone, R2...);
    # AWS itself (no endpoint_url) gets boto3's own choice.
    style = given.get("addressing_style", "path" if endpoint else "auto")
    if style not in {"path", "virtual", "auto"}:
        raise ConfigError(f"{name}: addressing_style must be path, virtual or auto, got {style!r}")
    options["addressing_style"] = style
    return options
