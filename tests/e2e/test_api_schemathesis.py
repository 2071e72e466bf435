"""schemathesis over every operation of the generated description, against a live
`masthead serve`, with each kind of key (issue 18): 0 server errors, 0 answers that break the
schema. Both runs cover every operation (the Content key's writes must be refused as
described); the phases are examples, coverage, fuzzing and stateful (sequences of calls along
links schemathesis infers from `Location` headers and the description: create an article,
then read, change, publish it). Rate limits are off here (the runs are deliberately fast);
they have their own tests. The server's database is SQLite, or a fresh PostgreSQL database
when MASTHEAD_DATABASE_URL says so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.server import masthead, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ENV = {"MASTHEAD_API_RATE_CONTENT": "0", "MASTHEAD_API_RATE_ADMIN": "0"}
CHECKS = "not_a_server_error,response_schema_conformance"
METHODS = {"get", "post", "put", "patch", "delete"}


def schemathesis(url: str, key: str, *extra: str) -> subprocess.CompletedProcess:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    return subprocess.run(
        [binary, "run", f"{url}/api/v1/openapi.json", "-H", f"Authorization: Bearer {key}",
         "--checks", CHECKS, "--max-examples", "12", "--phases", "examples,coverage,fuzzing,stateful",
         "--generation-database", "none", "--request-timeout", "30", "--seed", "18", *extra],
        capture_output=True, text=True, timeout=900)


def operations(url: str) -> int:
    """The operations schemathesis must run: all but the description's own (GET
    /openapi.json, which schemathesis leaves out as the document it loaded)."""
    paths = requests.get(f"{url}/api/v1/openapi.json", timeout=30).json()["paths"]
    return sum(1 for path, item in paths.items() for method in item
               if method in METHODS and path != "/openapi.json")


def operations_run(output: str) -> int:
    """How many operations schemathesis says it tested (its summary: "Selected: N/N",
    "Tested: N")."""
    found = re.search(r"API Operations:\s+Selected: (\d+)/(\d+)\s+Tested: (\d+)", output)
    assert found, output[-3000:]
    assert found[1] == found[2], output[-3000:]  # every operation was selected
    return int(found[3])


def test_no_operation_errors_or_breaks_its_schema_with_either_key(tmp_path):
    env: dict = {}
    with running_server(tmp_path, demo=True, workers=2, extra_env=ENV, env_out=env) as url:
        env = {**env, "MASTHEAD_SITE_URL": url}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        made = masthead(["integrations", "create", "Fuzzer", "--role", "admin", "--json"], env)
        keys = json.loads(made.stdout)
        total = operations(url)
        assert total >= 32  # the Content API, articles, media, taxonomy, authors, comments
        for kind in ("content_key", "admin_key"):
            run = schemathesis(url, keys[kind])
            assert run.returncode == 0, run.stdout[-4000:]
            assert operations_run(run.stdout) == total, run.stdout[-4000:]
            assert "✅ Stateful" in run.stdout, run.stdout[-4000:]  # the phase ran and passed
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "Traceback" not in log, log[-4000:]
