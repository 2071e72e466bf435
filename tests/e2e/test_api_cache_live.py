"""Content API reads with a key, served from the page cache over real HTTP (`masthead serve`).

The key is checked before a stored answer is served: a live key gets the stored answer (a
HIT), a publish through the Admin API purges it exactly as it purges the reader pages (the
next keyed read shows the new article), and a revoked or unknown key is refused with 401 while
the answer is still stored for everyone else. Also: two renames of a tag with one version
give one 200 and one 412. Runs on SQLite, and on PostgreSQL when
MASTHEAD_DATABASE_URL says so (the server then gets a fresh database of its own).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.server import masthead, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def cli(env, *args) -> str:
    done = masthead(list(args), env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def eventually(check, timeout=30.0):
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_keyed_reads_are_cached_purged_on_publish_and_refused_once_revoked(tmp_path):
    env: dict = {}
    with running_server(tmp_path, demo=True, workers=2, env_out=env) as url:
        env = {**env, "MASTHEAD_SITE_URL": url}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        reader = json.loads(cli(env, "integrations", "create", "App", "--role", "contributor",
                                "--json"))
        desk = json.loads(cli(env, "integrations", "create", "Desk", "--role", "editor",
                              "--json"))
        listing = url + "/api/v1/articles/"
        key = bearer(reader["content_key"])

        def read(headers=key):
            return requests.get(listing, headers=headers, timeout=30)

        first = read()
        assert first.status_code == 200 and first.headers["X-Cache"] == "MISS"
        assert eventually(lambda: read().headers.get("X-Cache") == "HIT")
        hit = read()
        assert hit.json() == first.json()
        assert hit.headers["Access-Control-Allow-Origin"] == "*"
        # A keyless read shares the stored answer: the Content API answers the same to all.
        assert requests.get(listing, timeout=30).headers["X-Cache"] == "HIT"
        for wrong in ("Bearer mhc_not-a-key", "Basic abc", "Bearer "):
            refused = read({"Authorization": wrong})
            assert refused.status_code == 401, wrong
            assert refused.headers["Content-Type"] == "application/problem+json"

        filed = requests.post(url + "/api/v1/articles/", json={
            "title": "Harbour pilots return to work", "body": "The pilots are back.",
            "status": "published"}, headers=bearer(desk["admin_key"]), timeout=30)
        assert filed.status_code == 201, filed.text
        assert eventually(lambda: read().json()["results"][0]["headline"]
                          == "Harbour pilots return to work")
        assert eventually(lambda: read().headers.get("X-Cache") == "HIT")
        assert read().json()["results"][0]["id"] == filed.json()["id"]

        # Two renames of one tag with one version, at once: exactly one wins.
        tags = url + "/api/v1/tags/"
        admin = bearer(desk["admin_key"])
        slug = requests.get(tags, timeout=30).json()["results"][0]["slug"]
        version = requests.get(f"{tags}{slug}/source/", headers=admin, timeout=30).json()[
            "version"]
        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(lambda name: requests.patch(
                f"{tags}{slug}/", json={"name": name}, timeout=30,
                headers={**admin, "If-Match": version}).status_code, ["Renamed A", "Renamed B"]))
        assert statuses == [200, 412]

        cli(env, "integrations", "revoke", "App")
        revoked = read()
        assert revoked.status_code == 401 and revoked.json()["code"] == "unauthorized"
        assert requests.get(listing, timeout=30).headers["X-Cache"] == "HIT"  # still stored
