"""Issue 18 end to end, against a real `masthead serve` (granian, two workers, its job worker).

An integration created with the CLI files an article with an image through the API; an
editor integration's key publishes it; a webhook receiver started here on 127.0.0.1 answers
500 three times and then 200, and gets a validly signed `article.published`; the delivery log
shows three failed attempts and one success; the article is on the front page, in search, in
the feeds, and has related articles. Then concurrency over real HTTP: two updates with one
ETag give one 200 and one 412; ten simultaneous creates with one Idempotency-Key give one
article.

The database is SQLite in the test's own data dir whatever MASTHEAD_DATABASE_URL says.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from PIL import Image as PILImage
from standardwebhooks.webhooks import Webhook

from tests.e2e.server import masthead, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ENV = {"MASTHEAD_WEBHOOKS_ALLOW_PRIVATE": "1", "MASTHEAD_WEBHOOKS_BACKOFF_SECONDS": "0.5",
       "MASTHEAD_JOBS_EAGER": "fast"}


@pytest.fixture
def receiver():
    got: list[dict] = []
    statuses = [500, 500, 500]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body})
            self.send_response(statuses.pop(0) if statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    server.shutdown()
    server.server_close()


@pytest.fixture
def live(tmp_path, monkeypatch):
    monkeypatch.delenv("MASTHEAD_DATABASE_URL", raising=False)
    with running_server(tmp_path, demo=True, workers=2, extra_env=ENV) as url:
        env = {**os.environ, "MASTHEAD_DATA_DIR": str(tmp_path), "MASTHEAD_SITE_URL": url, **ENV}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        yield url, env


def cli(env, *args) -> str:
    done = masthead(list(args), env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def keys(env, name, role) -> dict:
    return json.loads(cli(env, "integrations", "create", name, "--role", role, "--json"))


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (1200, 700), (20, 110, 90)).save(out, "PNG")
    return out.getvalue()


def eventually(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_an_integration_files_an_editor_publishes_and_a_signed_webhook_arrives(live, receiver):
    url, env = live
    hook, got = receiver
    wire = keys(env, "Wire service", "contributor")
    desk = keys(env, "Night desk", "editor")
    added = cli(env, "webhooks", "add", "Night desk", "article.published", hook)
    secret = added.split("Signing secret: ")[1].strip()
    api = url + "/api/v1"

    image = requests.post(api + "/media/", files={"file": ("harbour.png", png(), "image/png")},
                          data={"alt": "Cranes at the harbour", "caption": "The port at dawn"},
                          headers=bearer(wire["admin_key"]), timeout=30)
    assert image.status_code == 201, image.text
    filed = requests.post(api + "/articles/", json={
        "title": "Brennhaven dockworkers end their strike",
        "body": "The dockworkers' strike at Brennhaven ended on Tuesday.\n\n## Ships move\n\n"
                "Thirty ships waiting at anchor began to unload cargo at the harbour.",
        "section": "world", "tags": ["Ports", "Strikes"], "lead_image": image.json()["id"],
        "lead_image_alt": "Cranes at the harbour", "lead_image_caption": "The port at dawn"},
        headers=bearer(wire["admin_key"]), timeout=30)
    assert filed.status_code == 201, filed.text
    article = filed.json()
    refused = requests.post(api + f"/articles/{article['id']}/publish/",
                            headers=bearer(wire["admin_key"]), timeout=30)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    published = requests.post(api + f"/articles/{article['id']}/publish/",
                              headers=bearer(desk["admin_key"]), timeout=30)
    assert published.status_code == 200 and published.json()["status"] == "published"
    page = published.json()["url"]

    assert eventually(lambda: len(got) >= 4), got
    payload = Webhook(secret).verify(got[-1]["body"], got[-1]["headers"])
    assert payload["type"] == "article.published" and payload["data"]["id"] == article["id"]
    assert len({r["headers"]["webhook-id"] for r in got}) == 1
    log = [json.loads(line) for line in cli(env, "webhooks", "deliveries", "--json").splitlines()]
    assert [a["response_code"] for a in log[0]["attempts"]] == [500, 500, 500, 200]
    assert log[0]["status"] == "succeeded"

    headline = "Brennhaven dockworkers end their strike"
    assert headline in requests.get(url + "/", timeout=30).text
    assert headline in requests.get(url + "/feed/", timeout=30).text
    path = page.removeprefix(url)  # search marks the matched words inside the headline
    assert eventually(lambda: f'href="{path}"' in requests.get(
        url + "/search/", params={"q": "dockworkers strike"}, timeout=30).text)
    assert eventually(lambda: "Articles You May Like" in requests.get(page, timeout=30).text)
    content = requests.get(api + f"/articles/{article['id']}/",
                           headers=bearer(wire["content_key"]), timeout=30)
    assert content.status_code == 200 and content.json()["image"]["alt"]
    assert content.headers["Access-Control-Allow-Origin"] == "*"


def test_one_version_wins_and_one_idempotency_key_makes_one_article(live):
    url, env = live
    desk = keys(env, "Desk", "editor")
    api, auth = url + "/api/v1", bearer(desk["admin_key"])
    created = requests.post(api + "/articles/", json={"title": "Draft", "body": "Text."},
                            headers=auth, timeout=30).json()

    def update(n):
        return requests.patch(api + f"/articles/{created['id']}/", json={"title": f"Take {n}"},
                              headers={**auth, "If-Match": created["version"]}, timeout=60)

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(r.status_code for r in pool.map(update, range(2)))
    assert codes == [200, 412]

    def create(_):
        return requests.post(api + "/articles/", json={"title": "Wire copy", "body": "Once."},
                             headers={**auth, "Idempotency-Key": "wire-42"}, timeout=60)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(create, range(10)))
    assert {r.status_code for r in answers} == {201}, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    listed = requests.get(api + f"/articles/{answers[0].json()['id']}/source/", headers=auth,
                          timeout=30)
    assert listed.status_code == 200
    bad = requests.post(api + "/articles/", data="{oops", headers={
        **auth, "Content-Type": "application/json"}, timeout=30)
    assert bad.status_code == 400 and bad.json()["status"] == 400
