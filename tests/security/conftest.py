"""One served demo site for the security suite, with an editor account (session-wide)."""

from __future__ import annotations

import secrets

import pytest

from tests.cli_helpers import run_cli
from tests.e2e.server import running_server

SECRET = "security-suite-secret-key-0123456789abcdef"


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """`{"url", "password", "data_dir"}` of a live demo site; the admin is `sec-editor`."""
    data_dir = tmp_path_factory.mktemp("security-site")
    env = {"MASTHEAD_SECRET_KEY": SECRET, "MASTHEAD_EMAIL_URL": "memory",
           "MASTHEAD_DATABASE_URL": f"sqlite:///{data_dir}/masthead.sqlite3"}
    password = secrets.token_urlsafe(16)
    with running_server(data_dir, demo=True, workers=2, extra_env=env) as url:
        done = run_cli(data_dir, "createuser", "sec-editor", "--role", "admin",
                       "--password-stdin", input=password + "\n", **env)
        assert done.returncode == 0, done.stderr
        yield {"url": url, "password": password, "data_dir": data_dir, "env": env}
