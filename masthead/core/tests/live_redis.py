"""The machine's Redis for tests that need a real one: its URL, or a skip saying why not."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

REDIS_URL = os.environ.get("MASTHEAD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def live_redis(db: int | None = None) -> str:
    """REDIS_URL once it answers a ping, else skip the test naming the URL and the error.

    `db` asks for another database number on the same server, for a test area that keeps
    its keys apart from the others'.
    """
    import redis

    url = REDIS_URL if db is None else urlsplit(REDIS_URL)._replace(path=f"/{db}").geturl()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {url}: {exc}")
    return url
