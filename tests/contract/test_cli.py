"""The `masthead` command as users run it: exit codes, one-line errors, nothing half-stored."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli_helpers import run_cli


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli-site")
    done = run_cli(data_dir, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    return data_dir


def count_articles(data_dir) -> int:
    with sqlite3.connect(data_dir / "masthead.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0]


def test_help_lists_the_commands(tmp_path):
    done = run_cli(tmp_path, "--help")
    assert done.returncode == 0
    for word in ("serve", "migrate", "demo", "createuser", "import", "export", "related",
                 "comments"):
        assert word in done.stdout


def test_unknown_command_exits_2_with_one_line(tmp_path):
    done = run_cli(tmp_path, "frobnicate")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content, message", [
    ('{"title": "Fine", "body": "ok"}\n{"title": "Broken", "body": \n', "line 2: not valid JSON"),
    ('{"title": "Fine", "body": "ok"}\n{"body": "no title"}\n', "line 2: 'title' is required"),
    ('{"title": "Bad status", "body": "x", "status": "live"}\n', "'status' must be one of"),
    ('{"title": "Bad date", "body": "x", "published_at": "yesterday"}\n', "not an ISO 8601 date"),
    ('[1, 2]\n', "expected a JSON object"),
])
def test_bad_jsonl_exits_2_and_stores_nothing(site, tmp_path, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    before = count_articles(site)
    done = run_cli(site, "import", "jsonl", str(bad))
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert count_articles(site) == before


def test_unknown_section_and_unknown_flag_exit_2(site, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"title": "Fine", "body": "ok"}\n')
    before = count_articles(site)
    done = run_cli(site, "import", "jsonl", str(good), "--section", "no-such-section")
    assert done.returncode == 2 and "no section" in done.stderr
    done = run_cli(site, "import", "jsonl", str(good), "--sectoin", "world")
    assert done.returncode == 2
    assert count_articles(site) == before


def test_missing_file_exits_2(site, tmp_path):
    done = run_cli(site, "import", "jsonl", str(tmp_path / "absent.jsonl"))
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_import_then_export_round_trips(site, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(o) for o in [
        {"id": "rt-1", "title": "Round trip one", "body": "Para one.\n\nPara two.",
         "section": "World", "tags": ["A", "B"], "author": "Jo Writer",
         "published_at": "2023-09-16T10:00:00Z", "standfirst": "Summary",
         "comments": [
             {"id": "c1", "author": "Reader", "email": "reader@example.org", "url": "",
              "body": "First!", "status": "approved", "created_at": "2023-09-16T11:00:00Z"},
             {"id": "c2", "author": "Other", "email": "other@example.org", "url": "",
              "body": "Reply", "status": "pending", "created_at": "2023-09-16T12:00:00Z",
              "parent": "c1"}]},
        {"id": "rt-2", "title": "About us", "body": "We are a newspaper.", "type": "page",
         "status": "draft"},
    ]) + "\n")
    done = run_cli(site, "import", "jsonl", str(source))
    assert done.returncode == 0, done.stderr
    again = run_cli(site, "import", "jsonl", str(source))
    assert "0 created" in again.stdout  # idempotent
    out = tmp_path / "out.jsonl"
    assert run_cli(site, "export", "jsonl", str(out)).returncode == 0
    exported = {o["id"]: o for o in map(json.loads, out.read_text().splitlines())}
    one = exported["rt-1"]
    assert one["title"] == "Round trip one" and one["tags"] == ["A", "B"]
    assert one["published_at"] == "2023-09-16T10:00:00Z"
    assert one["status"] == "published" and one["type"] == "article"
    assert [c["parent"] for c in one["comments"]] == ["", "c1"]
    assert all("email" not in c for c in one["comments"])
    assert exported["rt-2"]["type"] == "page" and exported["rt-2"]["status"] == "draft"
    private = tmp_path / "private.jsonl"
    run_cli(site, "export", "jsonl", str(private), "--with-private-data")
    emails = [c["email"] for o in map(json.loads, private.read_text().splitlines())
              if o["id"] == "rt-1" for c in o["comments"]]
    assert emails == ["reader@example.org", "other@example.org"]


def test_createuser_rejects_bad_role_and_duplicates(site):
    done = run_cli(site, "createuser", "reporter1", "--role", "chief")
    assert done.returncode == 2
    done = run_cli(site, "createuser", "reporter1", "--role", "author",
                   "--password-stdin", input="a long enough passphrase\n")
    assert done.returncode == 0, done.stderr
    done = run_cli(site, "createuser", "reporter1", "--role", "author")
    assert done.returncode == 2 and "already exists" in done.stderr
