"""Starting servers for several machines (issue 14): one-line refusals with exit 2, the
key ring through a secret-key change, and `masthead check --deploy`."""

from __future__ import annotations

import os
import signal
import socket

import pytest

from tests.cli_helpers import REPO, cli_env

PG = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = os.environ.get("MASTHEAD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
KEY_A = "first-shared-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
KEY_B = "second-shared-secret-9876543210-zyxwvutsrqponmlkjihgfedcba"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ops-site")
    done = run_cli(data_dir, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    return data_dir


def run_cli(data_dir, *args, timeout=60, **extra):
    """Like tests.cli_helpers.run_cli, but a MASTHEAD_DATABASE_URL given here is kept; and a
    server that starts when it should have refused is stopped, not waited for."""
    import subprocess
    import sys

    env = {**cli_env(data_dir), **extra}
    proc = subprocess.Popen([sys.executable, "-m", "masthead", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the server's own group: granian's workers too
        proc.communicate()
        raise AssertionError(f"masthead {' '.join(args)} was still running after {timeout}s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def refused(done, *words):
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def test_serve_refuses_a_port_another_server_holds(site):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = run_cli(site, "serve", "--port", str(port), timeout=60)
    refused(done, f"127.0.0.1:{port}", "in use")


def test_serve_against_postgres_without_a_shared_secret_is_refused(site):
    done = run_cli(site, "serve", "--port", str(dead_port()), MASTHEAD_DATABASE_URL=PG,
                   MASTHEAD_SECRET_KEY="")
    refused(done, "MASTHEAD_SECRET_KEY must be set")


def test_serve_with_an_unreachable_database_or_redis_is_refused(site):
    done = run_cli(site, "serve", "--port", str(dead_port()),
                   MASTHEAD_DATABASE_URL=f"postgres://postgres@127.0.0.1:{dead_port()}/x")
    refused(done, "the database (127.0.0.1:", "does not answer")
    done = run_cli(site, "serve", "--port", str(dead_port()),
                   MASTHEAD_CACHE_URL=f"redis://:pw@127.0.0.1:{dead_port()}/0")
    line = refused(done, "redis (redis://127.0.0.1:", "does not answer")
    assert "pw" not in line


@pytest.mark.parametrize("name,value,words", [
    ("MASTHEAD_DATABASE_URL", "postgres://db:notaport/x", ["MASTHEAD_DATABASE_URL", "port"]),
    ("MASTHEAD_DATABASE_URL", "mysql://db/x", ["MASTHEAD_DATABASE_URL", "mysql"]),
    ("MASTHEAD_CACHE_URL", "redis://cache:port/0", ["MASTHEAD_CACHE_URL", "port"]),
    ("MASTHEAD_CACHE_URL", "memcached://cache", ["MASTHEAD_CACHE_URL"]),
    ("MASTHEAD_TRUSTED_PROXIES", "10.0.0.0/33", ["MASTHEAD_TRUSTED_PROXIES"]),
])
def test_malformed_configuration_is_one_line_and_exit_2(site, name, value, words):
    refused(run_cli(site, "check", **{name: value}), *words)


def test_other_commands_with_an_unreachable_database_are_one_line_too(site):
    done = run_cli(site, "migrate", MASTHEAD_DATABASE_URL=f"postgres://u@127.0.0.1:{dead_port()}/x")
    refused(done, "OperationalError")


def test_the_key_ring_follows_a_secret_key_change_and_refuses_a_wrong_key(tmp_path):
    assert run_cli(tmp_path, "migrate", "-v0").returncode == 0
    assert run_cli(tmp_path, "keys", "rotate", MASTHEAD_SECRET_KEY=KEY_A).returncode == 0
    # The key changed and the old one was not kept: refused, before anything is served.
    refused(run_cli(tmp_path, "serve", "--port", str(dead_port()), MASTHEAD_SECRET_KEY=KEY_B),
            "does not open")
    refused(run_cli(tmp_path, "keys", "rotate", MASTHEAD_SECRET_KEY=KEY_B), "does not open")
    done = run_cli(tmp_path, "keys", "rotate", MASTHEAD_SECRET_KEY=KEY_B,
                   MASTHEAD_SECRET_KEY_FALLBACKS=f"unrelated,{KEY_A}")
    assert done.returncode == 0 and "key v3 is current" in done.stdout, done.stderr
    # Re-wrapped under the new key: the fallback is no longer needed.
    done = run_cli(tmp_path, "keys", "rotate", MASTHEAD_SECRET_KEY=KEY_B)
    assert done.returncode == 0 and "key v4 is current" in done.stdout, done.stderr


def test_check_deploy_lists_what_one_machine_lacks_and_exits_1(site):
    done = run_cli(site, "check", "--deploy", MASTHEAD_SECRET_KEY="")
    assert done.returncode == 1
    for code in ("E001", "E002", "E003", "E004", "E006"):
        assert f"(masthead.{code})" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_deploy_passes_a_configured_cluster(site, tmp_path):
    if not (reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 6379)):
        pytest.skip("needs PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379")
    from tests.e2e.server import fresh_postgres_database

    with fresh_postgres_database(PG, f"masthead_check_deploy_{os.getpid()}") as url:
        env = {"MASTHEAD_DATABASE_URL": url, "MASTHEAD_CACHE_URL": REDIS,
               "MASTHEAD_TRUSTED_PROXIES": "10.0.0.0/8", "MASTHEAD_MEDIA_DIR": str(tmp_path),
               "MASTHEAD_SECRET_KEY": KEY_A}
        assert run_cli(site, "migrate", "-v0", **env).returncode == 0
        done = run_cli(site, "check", "--deploy", **env)
        assert done.returncode == 1 and "(masthead.E007)" in done.stderr  # no worker yet
        assert run_cli(site, "worker", "--burst", **env).returncode == 0  # a worker was seen
        done = run_cli(site, "check", "--deploy", **env)
    assert done.returncode == 0, done.stderr
    assert "masthead." not in done.stderr + done.stdout


def test_check_deploy_names_a_redis_that_does_not_answer(site, tmp_path):
    done = run_cli(site, "check", "--deploy",
                   MASTHEAD_CACHE_URL=f"redis://127.0.0.1:{dead_port()}/0")
    assert done.returncode == 1 and "(masthead.E005) redis does not answer" in done.stderr
