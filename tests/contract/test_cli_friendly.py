"""The `masthead` command as a person at a terminal meets it (issue 16, item 5): public names in
errors and help, --version, quiet broken pipes, progress bars only on a terminal, a summary
after every import, reported JSONL fields, and exported files' permissions."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import sqlite3
import struct
import subprocess
import sys
import termios
import tomllib

import pytest

from tests.cli_helpers import REPO, cli_env, run_cli


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated site with 300 articles: enough JSON to fill a pipe's 64 KB buffer."""
    data_dir = tmp_path_factory.mktemp("friendly-cli")
    done = run_cli(data_dir, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    source = data_dir / "many.jsonl"
    source.write_text("".join(
        json.dumps({"id": f"many-{i}", "title": f"Story number {i}", "section": "World",
                    "body": f"Paragraph {i}. " + "Words of the story. " * 40}) + "\n"
        for i in range(300)))
    done = run_cli(data_dir, "import", "jsonl", str(source))
    assert done.returncode == 0, done.stderr
    return data_dir


def rows(data_dir, sql, *params):
    with sqlite3.connect(data_dir / "masthead.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def test_usage_error_is_one_line_under_the_public_name(tmp_path):
    done = run_cli(tmp_path, "import", "jsonl")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("masthead import jsonl: error: ")
    assert "import_jsonl" not in done.stderr


def test_subcommand_usage_error_names_the_subcommand(tmp_path):
    done = run_cli(tmp_path, "comments", "list", "--status", "nonsense")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("masthead comments list: error: argument --status")


def test_command_error_is_one_line_under_the_public_name(tmp_path):
    done = run_cli(tmp_path, "import", "jsonl", str(tmp_path / "absent.jsonl"))
    assert done.returncode == 2
    assert done.stderr == f"masthead import jsonl: error: cannot read {tmp_path / 'absent.jsonl'}" \
                          ": No such file or directory\n"


def test_help_shows_the_public_name_without_djangos_options(tmp_path):
    done = run_cli(tmp_path, "import", "jsonl", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: masthead import jsonl ")
    for django_option in ("--settings", "--pythonpath", "--traceback", "--no-color",
                          "--skip-checks", "--verbosity"):
        assert django_option not in done.stdout


def test_djangos_options_are_still_accepted(tmp_path):
    done = run_cli(tmp_path, "migrate", "--verbosity", "0", "--no-color")
    assert done.returncode == 0, done.stderr


def test_group_help_lists_the_formats_and_exits_0(tmp_path):
    for group, formats in (("import", ["feed", "html", "jsonl", "wxr"]),
                           ("export", ["jsonl", "wxr"])):
        done = run_cli(tmp_path, group, "--help")
        assert done.returncode == 0, done.stderr
        listed = [line.split()[0] for line in done.stdout.splitlines()
                  if line.startswith("  ")]
        assert listed == formats


def test_unknown_format_is_one_line(tmp_path):
    done = run_cli(tmp_path, "import", "csv", "x.csv")
    assert done.returncode == 2
    assert done.stderr == ("masthead import: error: unknown format 'csv' "
                           "(choose from feed, html, jsonl, wxr)\n")


def test_version_prints_the_package_version(tmp_path):
    expected = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    done = run_cli(tmp_path, "--version")
    assert done.returncode == 0
    assert done.stdout == f"masthead {expected}\n"


@pytest.mark.parametrize("args", [("export", "jsonl"), ("export", "wxr", "-"),
                                  ("comments", "list")])
def test_a_closed_pipe_ends_quietly(site, args):
    if args[0] == "comments":
        # More lines than a pipe holds (64 KB), so that the listing is still writing when the
        # reader goes away: 400 lines (~36 KB) could all fit in the pipe first, and exit 0.
        for_comments = site / "comments.jsonl"
        for_comments.write_text(json.dumps({
            "id": "with-comments", "title": "Commented", "body": "Text.",
            "comments": [{"id": f"c{i}", "author": "Reader", "body": "A comment. " * 30}
                         for i in range(2000)]}) + "\n")
        assert run_cli(site, "import", "jsonl", str(for_comments)).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "masthead", *args], cwd=REPO,
                            env=cli_env(site), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(100)  # what `head -c 100` does, then it goes away
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141  # 128 + SIGPIPE, as the shell reports `yes | head`
    assert stderr == ""


STOPPED_MID_EXPORT = """
import os, signal, sys, time
import django
django.setup()
import masthead.importers.exporters.jsonl as exporter
def lines(with_private_data=False):
    yield '{"id": "first"}'
    os.kill(os.getpid(), signal.SIGTERM)  # `kill PID` from outside, half-way through
    time.sleep(60)
    yield '{"id": "never"}'
exporter.export_lines = lines
from masthead import cli
cli.main(["export", "jsonl", sys.argv[1]])
"""


def test_sigterm_mid_export_leaves_no_temporary_file(site, tmp_path):
    """Python's default for SIGTERM is to die at once, skipping `finally`: a killed export
    left its half-written temporary file behind (issue 20, a 0-byte file at 1M)."""
    target = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-c", STOPPED_MID_EXPORT, str(target)], cwd=REPO,
                          env={**cli_env(site), "DJANGO_SETTINGS_MODULE": "masthead.settings"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 143, done.stderr  # 128 + SIGTERM, as a shell reports it
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # neither the target nor `.out.jsonl.*.tmp`


def test_every_import_ends_with_a_summary(site, tmp_path):
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps({"id": "many-1", "title": "Story number 1", "body": "x"}) + "\n"
                     + json.dumps({"id": "fresh-1", "title": "A fresh one", "body": "y"}) + "\n")
    done = run_cli(site, "import", "jsonl", str(again))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 imported, 1 skipped, 0 errors"


def test_an_empty_file_says_so(site, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    done = run_cli(site, "import", "jsonl", str(empty))
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == \
        "0 imported, 0 skipped, 0 errors (the input holds no articles)"


def test_aliases_are_read_and_unknown_fields_reported(site, tmp_path):
    source = tmp_path / "other-system.jsonl"
    source.write_text("\n".join(json.dumps(o) for o in [
        {"id": "alias-1", "title": "Aliased", "body": "Text.", "category": "Science",
         "date": "2021-03-04T05:06:07Z", "author_name": "Ann Alias", "views": 12},
        {"id": "alias-2", "title": "Both names", "body": "Text.", "section": "Opinion",
         "category": "Science", "views": 3},
    ]) + "\n")
    done = run_cli(site, "import", "jsonl", str(source))
    assert done.returncode == 0, done.stderr
    assert "read 'category' as 'section' in 1 record(s) (first on line 1)" in done.stdout
    assert "read 'date' as 'published_at' in 1 record(s) (first on line 1)" in done.stdout
    assert "read 'author_name' as 'author' in 1 record(s) (first on line 1)" in done.stdout
    assert "ignored unknown field 'views' in 2 record(s) (first on line 1)" in done.stdout
    assert "ignored 'category' (the record has 'section') in 1 record(s) (first on line 2)" \
        in done.stdout
    [(section, published, author)] = rows(site, """
        SELECT s.name, a.published_at, au.name FROM articles_article a
        JOIN articles_section s ON s.id = a.section_id
        JOIN articles_byline b ON b.article_id = a.id JOIN articles_author au ON au.id = b.author_id
        WHERE a.external_key = 'alias-1'""")
    assert (section, author) == ("Science", "Ann Alias")
    assert published.startswith("2021-03-04 05:06:07")
    assert rows(site, """SELECT s.name FROM articles_article a JOIN articles_section s
                         ON s.id = a.section_id WHERE a.external_key = 'alias-2'""") == \
        [("Opinion",)]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_exported_files_get_the_umasks_permissions(site, tmp_path, umask, mode):
    commands = {"a.jsonl": ["export", "jsonl"], "a.xml": ["export", "wxr"],
                "related.json": ["related", "export"]}
    for name, args in commands.items():
        done = subprocess.run([sys.executable, "-m", "masthead", *args, str(tmp_path / name)],
                              cwd=REPO, env=cli_env(site), capture_output=True, text=True,
                              umask=umask, timeout=120)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def run_on_terminal(data_dir, *args) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal 100 columns wide (stdout stays a pipe)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "masthead", *args], cwd=REPO,
                            env=cli_env(data_dir), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stdout = proc.stdout.read().decode()
    return proc.wait(timeout=120), stdout, b"".join(chunks).decode()


@pytest.mark.parametrize("args, label, unit", [
    (("search", "reindex"), "search reindex", "articles/s"),
    (("related", "rebuild"), "related rebuild", "lists/s"),
    (("export", "jsonl", "OUT"), "export jsonl", "articles/s"),
])
def test_long_work_shows_a_bar_with_rate_and_time_left_on_a_terminal(site, tmp_path, args,
                                                                      label, unit):
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    code, stdout, terminal = run_on_terminal(site, *args)
    assert code == 0, terminal
    final = [part for part in terminal.split("\r") if part.startswith(f"{label}: 100%")]
    assert final, terminal
    assert unit in final[-1] and "<00:00" in final[-1]  # rate, and the time left
    assert "\r" not in stdout  # the bar never reaches the command's output


def test_import_shows_bytes_read_on_a_terminal(site, tmp_path):
    code, stdout, terminal = run_on_terminal(site, "import", "jsonl", str(site / "many.jsonl"))
    assert code == 0, terminal
    assert "import jsonl: 100%" in terminal and "B/s" in terminal
    assert stdout.splitlines()[-1] == "0 imported, 300 skipped, 0 errors"


def test_no_bar_when_stderr_is_not_a_terminal(site, tmp_path):
    for args in (("search", "reindex"), ("related", "rebuild"),
                 ("export", "jsonl", str(tmp_path / "x.jsonl")),
                 ("import", "jsonl", str(site / "many.jsonl"))):
        done = run_cli(site, *args)
        assert done.returncode == 0, done.stderr
        assert "\r" not in done.stderr and "%|" not in done.stderr
