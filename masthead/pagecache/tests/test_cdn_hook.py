"""The CDN purge hook: a purge calls the configured URL and command with the purged keys."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from masthead.pagecache import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def purge_receiver():
    """A loopback HTTP server recording what the hook POSTs."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Surrogate-Key"], json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/purge", received
    server.shutdown()
    server.server_close()


def test_purge_posts_the_keys_and_paths_to_the_purge_url(page_cache, settings, purge_receiver):
    url, received = purge_receiver
    settings.MASTHEAD_PAGE_CACHE_PURGE_URL = url
    services.purge_now(["a:7", "front"], ["/old/path/"])
    assert received == [("a:7 front", {"keys": ["a:7", "front"], "paths": ["/old/path/"],
                                       "site": settings.SITE_URL})]


def test_purge_runs_the_purge_command_with_keys_as_arguments(page_cache, settings, tmp_path):
    out = tmp_path / "called.json"
    script = tmp_path / "purge.py"
    script.write_text(
        "import json, sys\n"
        f"open({str(out)!r}, 'w').write(json.dumps({{'argv': sys.argv[1:], "
        "'stdin': json.load(sys.stdin)}))\n"
    )
    settings.MASTHEAD_PAGE_CACHE_PURGE_COMMAND = f"{sys.executable} {script}"
    services.purge_now(["tag:3", "a:1"])
    called = json.loads(out.read_text())
    assert called["argv"] == ["a:1", "tag:3"]
    assert called["stdin"]["keys"] == ["a:1", "tag:3"]


def test_a_failing_cdn_never_fails_the_purge(page_cache, settings, caplog):
    settings.MASTHEAD_PAGE_CACHE_PURGE_URL = "http://127.0.0.1:9/unreachable"
    settings.MASTHEAD_PAGE_CACHE_PURGE_COMMAND = "/nonexistent/purge-tool"
    services.purge_now(["a:1"])
    assert "CDN purge POST" in caplog.text
    assert "CDN purge command" in caplog.text


def test_purge_keys_waits_for_the_transaction_to_commit(page_cache, settings, purge_receiver,
                                                        django_capture_on_commit_callbacks):
    url, received = purge_receiver
    settings.MASTHEAD_PAGE_CACHE_PURGE_URL = url
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.purge_keys(["a:1"])
    assert received == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert [keys for keys, _ in received] == ["a:1"]


def test_a_purge_the_cdn_refused_is_retried_until_it_takes_it(page_cache, settings,
                                                              purge_receiver):
    """The purge is a durable job: a CDN (or store) outage delays it, never loses it."""
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from masthead.jobs import running

    url, received = purge_receiver
    settings.MASTHEAD_JOBS_EAGER = "none"
    settings.MASTHEAD_PAGE_CACHE_PURGE_URL = "http://127.0.0.1:9/down"
    services.purge_keys(["a:9"], ["/gone/"])
    for _ in range(3):  # the CDN is down: attempt after attempt, the job waits and comes back
        DBTaskResult.objects.update(run_after=timezone.now())
        assert running.run_claimed(running.claim_next("w")) is False
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.READY and len(job.worker_ids) == 3
    assert "CdnPurgeFailed" in job.exception_class_path
    assert job.run_after > timezone.now()

    settings.MASTHEAD_PAGE_CACHE_PURGE_URL = url  # the CDN is back
    DBTaskResult.objects.update(run_after=timezone.now())
    assert running.run_claimed(running.claim_next("w")) is True
    assert [keys for keys, _ in received] == ["a:9"]
