"""Bad input to `masthead import wxr|feed|html`: one clear line, exit 2, and nothing stored.

Every case runs in-process (fast, exact) and the ones that matter most for safety also through
the real `masthead` command in a subprocess, against a throw-away SQLite database whose every
table is then checked, byte for byte, for the secret a hostile file tried to pull in.
"""

from __future__ import annotations

import io
import sqlite3
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.articles.models import Article, Author, Redirect, Section, Tag
from masthead.comments.models import Comment
from masthead.importers import services
from masthead.importers.records import RecordError
from masthead.importers.tests.wxr_samples import comment, export_file, item
from masthead.media.models import Image
from tests.cli_helpers import run_cli

SECRET = "TOP-SECRET-VALUE-4711"
LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
)
RSS_ITEM = "<item><title>{title}</title><guid>g{n}</guid><description>{body}</description></item>"


def rss(items: str, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel>'
            f"<title>Feed</title><link>https://feed.example/</link>{items}</channel></rss>")


def wxr_text(tmp_path, items: str) -> str:
    return export_file(tmp_path, items).read_text()


def sparse(path, size=2 * 1024**3):
    with path.open("wb") as handle:  # a hole: no disk blocks, nothing to read into memory
        handle.truncate(size)
    return path


# --- the hostile files ----------------------------------------------------------------------


def malformed_wxr(tmp_path, shared_data):
    return shared_data / "wxr" / "wordpress-importer-fixtures" / "malformed.xml"


def truncated_wxr(tmp_path, shared_data):
    whole = (shared_data / "wxr" / "theme-test-data" / "themeunittestdata.wordpress.xml")
    path = tmp_path / "truncated.xml"
    path.write_bytes(whole.read_bytes()[:300_000])  # mid-item, after dozens of good posts
    return path


def wrongly_encoded_wxr(tmp_path, shared_data):
    text = wxr_text(tmp_path, item(1, "Caf\u00e9 cr\u00e8me") + item(2))
    path = tmp_path / "latin1.xml"
    path.write_bytes(text.encode("latin-1"))  # but it declares UTF-8
    return path


def laughing_wxr(tmp_path, shared_data):
    text = wxr_text(tmp_path, item(1, "&lol9;").replace("<![CDATA[&lol9;]]>", "&lol9;"))
    path = tmp_path / "laughs.xml"
    path.write_text(text.replace("?>\n", f"?>\n<!DOCTYPE rss [{LAUGHS}]>\n", 1))
    return path


def external_entity_wxr(tmp_path, shared_data):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    text = wxr_text(tmp_path, item(1).replace("<title>A post</title>", "<title>&xxe;</title>"))
    path = tmp_path / "xxe.xml"
    path.write_text(text.replace(
        "?>\n", f'?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n', 1))
    return path


def huge_wxr(tmp_path, shared_data):
    return sparse(tmp_path / "huge.xml")


def truncated_feed(tmp_path, shared_data):
    whole = rss("".join(RSS_ITEM.format(title=f"T{n}", n=n, body="Body") for n in range(50)))
    path = tmp_path / "truncated.rss"
    path.write_text(whole[: len(whole) // 2])
    return path


def laughing_feed(tmp_path, shared_data):
    path = tmp_path / "laughs.rss"
    path.write_text(rss(RSS_ITEM.format(title="T", n=1, body="&lol9;"),
                        f"<!DOCTYPE rss [{LAUGHS}]>"))
    return path


def external_entity_feed(tmp_path, shared_data):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    path = tmp_path / "xxe.rss"
    path.write_text(rss(RSS_ITEM.format(title="Leak &xxe;", n=1, body="Body &xxe;"),
                        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'))
    return path


def wrongly_encoded_feed(tmp_path, shared_data):
    path = tmp_path / "latin1.rss"
    path.write_bytes(rss(RSS_ITEM.format(title="Caf\u00e9", n=1, body="cr\u00e8me"))
                     .encode("latin-1"))
    return path


def huge_feed(tmp_path, shared_data):
    return sparse(tmp_path / "huge.rss")


def huge_page(tmp_path, shared_data):
    return sparse(tmp_path / "huge.html")


def binary_page(tmp_path, shared_data):
    path = tmp_path / "photo.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    return path


CASES = [
    ("wxr", malformed_wxr, "not well-formed"),
    ("wxr", truncated_wxr, "not well-formed"),
    ("wxr", wrongly_encoded_wxr, "not well-formed"),
    ("wxr", laughing_wxr, "DOCTYPE"),
    ("wxr", external_entity_wxr, "DOCTYPE"),
    ("wxr", huge_wxr, "over the 1,073,741,824-byte limit"),
    ("feed", truncated_feed, "not well-formed XML"),
    ("feed", wrongly_encoded_feed, "not well-formed XML"),
    ("feed", laughing_feed, "declares its own DTD entities"),
    ("feed", external_entity_feed, "declares its own DTD entities"),
    ("feed", huge_feed, "byte limit"),
    ("html", huge_page, "byte limit"),
    ("html", binary_page, "not an HTML page"),
]


def stored_counts() -> list[int]:
    models = (Article, Comment, Author, get_user_model(), Image, Redirect, Section, Tag)
    return [m.objects.count() for m in models]


@pytest.mark.django_db
@pytest.mark.parametrize("kind, make, message", CASES, ids=[c[1].__name__ for c in CASES])
def test_bad_input_is_refused_in_one_line_with_nothing_stored(kind, make, message, tmp_path,
                                                              shared_data):
    path = make(tmp_path, shared_data)
    started = time.monotonic()
    with pytest.raises(CommandError) as caught:
        call_command(f"import_{kind}", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert time.monotonic() - started < 3  # the 2 GB files are never read
    error = str(caught.value)
    assert caught.value.returncode == 2
    assert message in error and "\n" not in error and SECRET not in error
    assert stored_counts() == [0] * 8


@pytest.mark.django_db
def test_a_sparse_2_gb_export_under_a_raised_limit_still_fails_fast(tmp_path):
    path = sparse(tmp_path / "huge.xml")
    started = time.monotonic()
    with pytest.raises(CommandError, match="not well-formed"):
        call_command("import_wxr", str(path), "--max-size", "4096", stdout=io.StringIO())
    assert time.monotonic() - started < 3
    assert stored_counts() == [0] * 8


@pytest.mark.django_db
def test_a_failure_while_storing_the_second_batch_leaves_nothing_behind(tmp_path, monkeypatch):
    # 8 posts in batches of 5: the first batch is written before the second one fails.
    monkeypatch.setattr(services, "BATCH_SIZE", 5)
    path = export_file(tmp_path, "".join(item(n, more=comment(n)) for n in range(1, 9)))
    real, calls = services._store_comments, []

    def failing(records, articles, report, names):
        calls.append(len(records))
        if len(calls) == 2:
            raise RecordError("disk full, say")
        real(records, articles, report, names)

    monkeypatch.setattr(services, "_store_comments", failing)
    with pytest.raises(CommandError, match="disk full, say") as caught:
        call_command("import_wxr", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2 and calls == [5, 3]
    assert stored_counts() == [0] * 8  # the first batch and the author account are gone too


@pytest.mark.django_db
def test_feeds_that_are_not_well_formed_import_only_when_asked_to_be_lenient(tmp_path):
    path = truncated_feed(tmp_path, None)
    out = io.StringIO()
    call_command("import_feed", str(path), "--lenient", stdout=out)
    assert Article.objects.count() > 10
    assert "not well-formed" in out.getvalue()


# --- through the real command ----------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("bad-input-site")
    done = run_cli(data_dir, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    return data_dir


def database_rows(data_dir) -> tuple[int, bytes]:
    """Rows in the content tables, and the whole database file (to search for leaks)."""
    with sqlite3.connect(data_dir / "masthead.sqlite3") as db:
        rows = sum(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in (
            "articles_article", "comments_comment", "articles_author", "auth_user",
            "media_image", "articles_redirect", "articles_section", "articles_tag"))
    return rows, (data_dir / "masthead.sqlite3").read_bytes()


@pytest.mark.parametrize("kind, make", [
    ("wxr", external_entity_wxr), ("feed", external_entity_feed), ("wxr", huge_wxr),
], ids=["wxr-external-entity", "feed-external-entity", "wxr-2gb"])
def test_the_command_exits_2_with_one_line_and_leaks_nothing(site, kind, make, tmp_path,
                                                             shared_data):
    path = make(tmp_path, shared_data)
    done = run_cli(site, "import", kind, str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "nothing imported" in lines[0]
    assert SECRET not in done.stdout + done.stderr
    rows, database = database_rows(site)
    assert rows == 0 and SECRET.encode() not in database



@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["record-error", "reader-dies"])
def test_a_failing_reader_process_leaves_nothing_behind(failure, tmp_path, monkeypatch):
    import os

    from masthead.importers import reading_process
    from masthead.importers.sources.wxr import WxrExport

    path = export_file(tmp_path, "".join(item(n, more=comment(n)) for n in range(1, 30)))
    real = WxrExport.articles

    def articles(self):  # runs in the forked reader
        for n, record in enumerate(real(self)):
            if n == 20:
                if failure == "reader-dies":
                    os._exit(3)
                raise RecordError("export.xml changed while it was being read")
            yield record

    monkeypatch.setattr(WxrExport, "articles", articles)
    monkeypatch.setattr(reading_process, "MIN_BYTES", 0)
    monkeypatch.setattr(reading_process, "BATCH", 5)
    expected = CommandError if failure == "record-error" else RuntimeError
    with pytest.raises(expected, match="changed while|stopped unexpectedly"):
        call_command("import_wxr", str(path), stdout=io.StringIO())
    assert stored_counts() == [0] * 8
