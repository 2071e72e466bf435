"""The machine's Redis for tests that need a real one: its URL, or a skip saying why not."""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("MASTHEAD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def live_redis() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return REDIS_URL
