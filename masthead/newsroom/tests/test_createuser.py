"""`masthead createuser NAME --role ROLE [--password-stdin]` (CONTRACT.md, Command line)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from masthead.articles.models import Author
from masthead.newsroom.roles import role_of

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """A migrated data dir for running the real `masthead` command in a subprocess."""
    data_dir = tmp_path_factory.mktemp("createuser")
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(data_dir),
           "MASTHEAD_DATABASE_URL": f"sqlite:///{data_dir}/masthead.sqlite3"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _run(["migrate", "-v0"], env)
    return env


def _run(args, env, stdin=""):
    return subprocess.run([sys.executable, "-m", "masthead", *args], env=env, cwd=REPO,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_cli_creates_a_user_reading_the_password_from_stdin(cli_env):
    done = _run(["createuser", "rita", "--role", "author", "--password-stdin"], cli_env,
                stdin="a sufficiently long secret 7\n")
    assert done.returncode == 0, done.stderr
    assert "created author 'rita'" in done.stdout
    assert "password:" not in done.stdout


def test_cli_duplicate_name_exits_2_with_one_line(cli_env):
    _run(["createuser", "dup", "--role", "editor"], cli_env)
    done = _run(["createuser", "dup", "--role", "editor"], cli_env)
    assert done.returncode == 2
    assert "already exists" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_cli_unknown_role_exits_2(cli_env):
    done = _run(["createuser", "someone", "--role", "chief"], cli_env)
    assert done.returncode == 2
    assert "invalid choice: 'chief'" in done.stderr


def test_createuser_with_password_stdin_sets_that_password(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a sufficiently long secret 7\n"))
    out = io.StringIO()
    call_command("createuser", "sam", role="editor", password_stdin=True,
                 display_name="Sam Sub", stdout=out)
    user = get_user_model().objects.get(username="sam")
    assert user.check_password("a sufficiently long secret 7")
    assert role_of(user) == "editor" and user.is_staff
    assert Author.objects.get(user=user).name == "Sam Sub"


def test_createuser_without_stdin_prints_a_generated_password(db):
    out = io.StringIO()
    call_command("createuser", "gen", role="contributor", stdout=out)
    password = out.getvalue().split("password: ", 1)[1].strip()
    assert get_user_model().objects.get(username="gen").check_password(password)


def test_createuser_refuses_a_weak_password_and_creates_nothing(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError) as raised:
        call_command("createuser", "weak", role="author", password_stdin=True)
    assert raised.value.returncode == 2
    assert not get_user_model().objects.filter(username="weak").exists()


def test_createuser_refuses_a_name_with_spaces(db):
    with pytest.raises(CommandError) as raised:
        call_command("createuser", "two words", role="author")
    assert raised.value.returncode == 2
