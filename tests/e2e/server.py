"""Start a real `masthead serve` on a free loopback port for end-to-end and browser tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def masthead(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "masthead", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def fresh_postgres_database(base_url: str, name: str):
    """A new, empty PostgreSQL database beside `base_url`'s, dropped afterwards."""
    import psycopg

    parts = urlsplit(base_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_server(data_dir: str, *, demo: bool = True, workers: int = 1, extra_env=None,
                   env_out: dict | None = None):
    """Yield the base URL of a migrated (and optionally demo-loaded) server; stop it after.

    `env_out`, when given, is filled with the server's environment (its database URL among
    it), so a test can run the `masthead` CLI against the same site.

    On SQLite the server keeps its database in `data_dir`. When the suite runs on PostgreSQL
    (MASTHEAD_DATABASE_URL is postgres://...), each server gets a fresh database of its own so
    that live servers never share state with each other or with the test runner.
    """
    port = free_port()
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(data_dir),
           "MASTHEAD_SITE_URL": f"http://127.0.0.1:{port}",
           # As in production: purges and search entries after the commit, the rest in the
           # worker `masthead serve` starts (the test settings run every job eagerly).
           "MASTHEAD_JOBS_EAGER": "fast", **(extra_env or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with contextlib.ExitStack() as stack:
        db_url = env.get("MASTHEAD_DATABASE_URL", "")
        if db_url.startswith("postgres"):
            env["MASTHEAD_DATABASE_URL"] = stack.enter_context(
                fresh_postgres_database(db_url, f"mh_live_{port}")
            )
        if env_out is not None:
            env_out.update(env)
        yield stack.enter_context(_serve(env, port, demo, workers))


@contextlib.contextmanager
def _serve(env: dict, port: int, demo: bool, workers: int):
    for args in (["migrate", "-v0"], ["demo"] if demo else None):
        if args:
            done = masthead(args, env, timeout=300)
            if done.returncode:
                raise RuntimeError(f"masthead {args[0]} failed: {done.stderr[-2000:]}")
    log = open(Path(env["MASTHEAD_DATA_DIR"]) / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "masthead", "serve", "--port", str(port),
         "--workers", str(workers)],
        # A file, not a pipe: nobody reads the server's output while it runs, and a full pipe
        # (console email backend, access logs) would block the server.
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = Path(log.name).read_text(errors="replace")
                    raise RuntimeError(f"server did not start: {output[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen) -> None:
    """Stop the server's whole process group (granian's workers too)."""
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
