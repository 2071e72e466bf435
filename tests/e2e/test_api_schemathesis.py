"""schemathesis over every operation of the generated description, against a live
`masthead serve`, with each kind of key (issue 18): 0 server errors, 0 answers that break the
schema. Rate limits are off here (the runs are deliberately fast); they have their own tests.

The database is SQLite in the test's own data dir whatever MASTHEAD_DATABASE_URL says.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.server import masthead, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ENV = {"MASTHEAD_API_RATE_CONTENT": "0", "MASTHEAD_API_RATE_ADMIN": "0"}
CHECKS = "not_a_server_error,response_schema_conformance"


def schemathesis(url: str, key: str, *extra: str) -> subprocess.CompletedProcess:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    return subprocess.run(
        [binary, "run", f"{url}/api/v1/openapi.json", "-H", f"Authorization: Bearer {key}",
         "--checks", CHECKS, "--max-examples", "12", "--phases", "examples,coverage,fuzzing",
         "--generation-database", "none", "--request-timeout", "30", "--seed", "18", *extra],
        capture_output=True, text=True, timeout=900)


def test_no_operation_errors_or_breaks_its_schema_with_either_key(tmp_path, monkeypatch):
    monkeypatch.delenv("MASTHEAD_DATABASE_URL", raising=False)
    with running_server(tmp_path, demo=True, workers=2, extra_env=ENV) as url:
        env = {**os.environ, "MASTHEAD_DATA_DIR": str(tmp_path), "MASTHEAD_SITE_URL": url, **ENV}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        made = masthead(["integrations", "create", "Fuzzer", "--role", "admin", "--json"], env)
        keys = json.loads(made.stdout)
        content = schemathesis(url, keys["content_key"], "--include-tag", "Content")
        assert content.returncode == 0, content.stdout[-4000:]
        admin = schemathesis(url, keys["admin_key"])
        assert admin.returncode == 0, admin.stdout[-4000:]
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "Traceback" not in log, log[-4000:]
