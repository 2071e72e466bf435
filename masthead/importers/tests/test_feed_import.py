"""`masthead import feed`: RSS, Atom and JSON Feed entries stored as articles, once each."""

from __future__ import annotations

import http.server
import io
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.articles.models import Article
from masthead.importers.records import ImportReport
from masthead.importers.sources.feed import parse_feed
from tests.cli_helpers import run_cli

pytestmark = pytest.mark.django_db
HOSTILE = re.compile(r"<script|<iframe|onclick|javascript:|alert\(", re.I)


def shared_feeds() -> list[str]:
    from conftest import shared_data_dir

    root = shared_data_dir() / "feeds"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*")
                   if p.suffix in (".xml", ".json") and "illformed" not in p.parts)
    return files or ["(shared data absent)"]


def import_feed(source, *args) -> str:
    out = io.StringIO()
    call_command("import_feed", str(source), *args, stdout=out)
    return out.getvalue()


def titled(path: Path, tmp_path: Path) -> Path:
    """The document with a title on each entry: many feedparser test entries have none, and
    untitled entries are skipped before their content would be looked at."""
    copy = tmp_path / path.name
    copy.write_bytes(re.sub(rb"<(entry|item)>", rb"<\1><title>Titled</title>",
                            path.read_bytes()))
    return copy


@pytest.mark.parametrize("name", shared_feeds())
def test_each_shared_feed_imports_its_entries_once(name, shared_data):
    path = shared_data / "feeds" / name
    expected = parse_feed(path.read_bytes(), "", ImportReport())
    import_feed(path)
    assert Article.objects.count() == len({r.key for r in expected if r.key}) + sum(
        1 for r in expected if not r.key)
    assert all(a.status == "published" and a.body for a in Article.objects.all())
    keyed = Article.objects.exclude(external_key=None).count()
    import_feed(path)  # entries with a GUID or link are recognised the second time
    assert Article.objects.exclude(external_key=None).count() == keyed


@pytest.mark.parametrize("name, body", [
    ("entry_content_script.xml", "safe description"),
    ("entry_content_script_cdata.xml", "safe description"),
    ("entry_content_iframe.xml", "safe **description**"),
    ("entry_content_onclick.xml", "![](http://www.ragingplatypus.com/i/cam-full.jpg)"),
])  # the bodies the files' "Expect:" headers give, in Markdown
def test_hostile_entry_html_is_stored_as_safe_markdown(name, body, shared_data, tmp_path):
    path = titled(shared_data / "feeds" / "feedparser" / "wellformed" / "sanitize" / name,
                  tmp_path)
    import_feed(path)
    article = Article.objects.get()
    assert article.body == body
    assert not HOSTILE.search(article.body) and not HOSTILE.search(article.body_html)


def test_entries_are_deduplicated_by_guid_then_link(tmp_path):
    path = tmp_path / "feed.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        "<item><title>One</title><guid>urn:one</guid><description>1</description></item>"
        "<item><title>One again</title><guid>urn:one</guid><description>1b</description></item>"
        "<item><title>Two</title><link>https://f.example/two</link><description>2</description>"
        "</item></channel></rss>")
    out = import_feed(path)
    assert "article: 2 created, 1 already present" in out
    assert sorted(Article.objects.values_list("external_key", "headline")) == [
        ("https://f.example/two", "Two"), ("urn:one", "One")]


def test_a_guid_longer_than_the_key_column_is_still_recognised_on_the_next_run(tmp_path):
    guid = "tag:feed.example,2024:" + "x" * 400
    path = tmp_path / "long.rss"
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item>'
                    f"<title>Long</title><guid>{guid}</guid><description>1</description>"
                    "</item></channel></rss>")
    import_feed(path)
    assert "article: 0 created, 1 already present" in import_feed(path)
    assert len(Article.objects.get().external_key) <= 255


def test_an_rss_0_91_feed_with_its_public_doctype_is_accepted(tmp_path):
    path = tmp_path / "old.rss"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91'
        '//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91">'
        "<channel><title>T</title><item><title>Old</title><link>http://x.example/1</link>"
        "<description>Old &amp; good</description></item></channel></rss>")
    import_feed(path)
    assert Article.objects.get().body == "Old & good"


# --- over HTTP -------------------------------------------------------------------------------


class Feeds(http.server.BaseHTTPRequestHandler):
    documents: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = self.documents.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def silent_server():
    """Accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_feed_url_is_fetched_imported_and_not_duplicated_on_the_next_run(feed_server,
                                                                           shared_data):
    httpd, base = feed_server
    sample = shared_data / "feeds" / "w3c-feedvalidator" / "rss" / "must" / "atom_link.xml"
    Feeds.documents = {"/feed.xml": sample.read_bytes()}
    out = import_feed(f"{base}/feed.xml")
    assert "article: 10 created" in out
    assert "article: 0 created, 10 already present" in import_feed(f"{base}/feed.xml")
    assert Article.objects.count() == 10
    with pytest.raises(CommandError, match="HTTP 404") as caught:
        import_feed(f"{base}/missing.xml")
    assert caught.value.returncode == 2


def test_a_feed_url_that_never_answers_times_out_quickly(silent_server):
    started = time.monotonic()
    with pytest.raises(CommandError, match="timed out after 0.5 s") as caught:
        import_feed(silent_server, "--timeout", "0.5")
    assert time.monotonic() - started < 3
    assert caught.value.returncode == 2 and Article.objects.count() == 0


def test_the_command_reports_a_timeout_in_one_line_and_exits_2(silent_server, tmp_path):
    done = run_cli(tmp_path, "import", "feed", silent_server, "--timeout", "1")
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "timed out after 1 s" in line and "nothing imported" in line
