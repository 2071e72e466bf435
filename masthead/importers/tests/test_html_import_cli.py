"""`masthead import html FILE_OR_URL [--section S]`: one article page in, its URL path out."""

from __future__ import annotations

import http.server
import io
import json
import re
import sqlite3
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.articles import services
from masthead.articles.models import Article
from tests.cli_helpers import run_cli

PARAGRAPHS = [
    "The harbour authority approved the new ferry timetable on Tuesday after a long debate "
    "that ran well past midnight, ending months of uncertainty for island commuters.",
    "Under the plan, boats will leave every forty minutes at peak times, and a late service "
    "will run on Fridays and Saturdays until the end of the summer season.",
    "Councillors said the change would cost less than expected because two older vessels "
    "are being replaced by a single larger one that uses a third less fuel.",
]
PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Ferry timetable approved | Island Gazette</title>
<meta property="og:title" content="Ferry timetable approved">
<meta name="author" content="Mara Quill">
<meta property="article:published_time" content="2024-05-14T09:30:00+00:00">
<link rel="canonical" href="https://gazette.example/news/ferry-timetable">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div class="cookie-banner">We use cookies. Accept all cookies?</div>
<main><article>
<h1>Ferry timetable approved</h1>
<p class="byline">By Mara Quill</p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Celebrity spotted at the pier</a></li></ul>
</aside>
<footer>Copyright Island Gazette. All rights reserved. Subscribe to our newsletter.</footer>
</body></html>"""
BOILERPLATE = ("cookies", "Most read", "Celebrity", "Copyright", "newsletter")


@pytest.fixture
def page_file(tmp_path):
    path = tmp_path / "ferry.html"
    path.write_text(PAGE)
    return path


def import_html(source, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_html", str(source), *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


@pytest.mark.django_db
def test_a_saved_page_becomes_an_article_at_the_printed_path(page_file, client):
    services.get_or_create_section("Local news")
    path, _ = import_html(page_file, "--section", "local-news")
    assert path == "/2024/05/14/ferry-timetable-approved/"
    article = Article.objects.get()
    assert (article.headline, article.section.slug) == ("Ferry timetable approved",
                                                         "local-news")
    assert [a.name for a in article.byline_authors] == ["Mara Quill"]
    assert article.external_key == "https://gazette.example/news/ferry-timetable"
    for paragraph in PARAGRAPHS:
        assert paragraph in article.body
    assert not any(word in article.body for word in BOILERPLATE)
    response = client.get(path)
    assert response.status_code == 200 and PARAGRAPHS[1] in response.content.decode()
    # The same page again is recognised by its canonical URL: same path, nothing new.
    again, note = import_html(page_file)
    assert again == path and "already imported" in note and Article.objects.count() == 1


@pytest.mark.django_db
def test_a_page_url_is_fetched_and_remembered_by_its_address(page_file):
    page = PAGE.replace('<link rel="canonical" href="https://gazette.example/news/ferry-timetable">',
                        "").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}/story"
        path, _ = import_html(url)
        assert import_html(url)[0] == path
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert Article.objects.get().external_key == url


@pytest.mark.django_db
def test_unknown_section_and_unreadable_sources_exit_2_and_store_nothing(page_file, tmp_path):
    for args, message in (
        ((str(page_file), "--section", "no-such-section"), "no section with slug"),
        ((str(tmp_path / "absent.html"),), "cannot read"),
        (("ftp://example.org/page.html",), "cannot read"),
    ):
        with pytest.raises(CommandError, match=message) as caught:
            call_command("import_html", *args, stdout=io.StringIO())
        assert caught.value.returncode == 2
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_a_real_news_page_keeps_its_story(shared_data):
    folder = shared_data / "extraction" / "scrapinghub"
    if not (folder / "ground-truth.jsonl").is_file():
        pytest.skip(f"{folder} not found")
    truth = json.loads((folder / "ground-truth.jsonl").read_text().splitlines()[0])
    path, _ = import_html(folder / truth["file"])
    article = Article.objects.get()
    assert path == article.get_absolute_url() and re.fullmatch(r"/\d{4}/\d\d/\d\d/[-\w]+/", path)
    first_sentence = truth["body"].split("\n")[0][:80]
    assert first_sentence in article.body


def test_the_command_prints_only_the_path_and_refuses_an_unknown_section(page_file, tmp_path):
    data = tmp_path / "data"
    assert run_cli(data, "migrate", "-v0").returncode == 0
    done = run_cli(data, "import", "html", str(page_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "/2024/05/14/ferry-timetable-approved/\n"
    done = run_cli(data, "import", "html", str(page_file), "--section", "nowhere")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    with sqlite3.connect(data / "masthead.sqlite3") as db:
        assert db.execute("SELECT slug, pub_date FROM articles_article").fetchall() == [
            ("ferry-timetable-approved", "2024-05-14")]
