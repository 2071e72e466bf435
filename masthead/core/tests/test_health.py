"""`/healthz`: plain `ok` for load balancers, JSON per check, 503 when a service is down."""

from __future__ import annotations

import socket

import pytest

from .live_redis import live_redis

pytestmark = pytest.mark.django_db


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def test_plain_ok_by_default_and_never_cached(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-cache" in response["Cache-Control"]


def test_json_names_each_check_on_request(client):
    for response in (client.get("/healthz?format=json"),
                     client.get("/healthz", HTTP_ACCEPT="application/json")):
        body = response.json()
        assert response.status_code == 200 and body["status"] == "ok"
        assert list(body["checks"]) == ["database", "jobs"]
        assert body["checks"]["database"]["status"] == "ok"
        assert body["checks"]["database"]["ms"] >= 0
        # The queue is reported, never failing: nothing waits, no worker in a test process.
        assert body["checks"]["jobs"] == {"status": "ok", "oldest_waiting_s": None,
                                          "live_workers": 0}


def test_configured_redis_is_checked(client, settings):
    settings.MASTHEAD_PAGE_CACHE_REDIS_URL = live_redis()
    body = client.get("/healthz?format=json").json()
    assert body["checks"]["redis"]["status"] == "ok"


def test_redis_down_is_503_in_text_and_json(client, settings):
    settings.MASTHEAD_PAGE_CACHE_REDIS_URL = f"redis://127.0.0.1:{dead_port()}/0"
    text = client.get("/healthz")
    assert (text.status_code, text.content) == (503, b"redis unavailable")
    body = client.get("/healthz?format=json")
    assert body.status_code == 503 and body.json()["status"] == "fail"
    check = body.json()["checks"]["redis"]
    assert check["status"] == "fail" and "ConnectionError" in check["error"]
    assert body.json()["checks"]["database"]["status"] == "ok"


def test_database_down_is_503(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz?format=json")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == "OperationalError: gone"
