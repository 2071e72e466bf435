"""A several-server Masthead on one machine, as docs/deploy.md describes it, for the cluster test.

Everything listens on 127.0.0.1 and is started by the test itself, so that it can be stopped
and restarted without touching the machine's own services:

- a private PostgreSQL cluster (initdb into a temporary directory, run as the `postgres` user),
- a private Redis (cache and page-cache store),
- three `masthead serve` processes, each with its own data dir (as on three machines), each
  starting its own `masthead worker`, sharing the secret key, the database, Redis and a media
  directory (MASTHEAD_MEDIA_DIR, a shared filesystem),
- nginx in front with the three as an upstream, passing X-Forwarded-For (trusted proxies).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.e2e.server import REPO, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SECRET = "cluster-test-shared-secret-0123456789abcdefghijklmnop"


def missing() -> str:
    """Why the cluster cannot be started here, or '' when it can."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL server binaries not found in {PG_BIN}"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if shutil.which("nginx") is None:
        return "nginx is not installed"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "initdb must run as the postgres user (the test needs root to switch to it)"
    return ""


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, cwd="/tmp", **kwargs)


class Postgres:
    def __init__(self, root: Path):
        self.dir = root / "pg"
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.dir), "-A", "trust", "-U",
                      "postgres", "--no-sync", "-E", "UTF8"])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=200")
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-o", options, "-l",
                      str(self.dir / "log"), "-w", *args], timeout=120)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate")


class Redis:
    def __init__(self, root: Path):
        self.port = free_port()
        self.dir = root / "redis"
        self.dir.mkdir()
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _tcp_open(self.port), 10, "redis did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Server:
    """One `masthead serve` (and the worker it starts), as on a machine of its own."""

    def __init__(self, name: str, root: Path, env: dict):
        self.name = name
        self.port = free_port()
        self.data = root / name
        self.data.mkdir()
        self.env = {**env, "MASTHEAD_DATA_DIR": str(self.data)}
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.data / "server.log", "ab")  # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "masthead", "serve", "--port", str(self.port),
             "--workers", "1", "--threads", "4"],
            env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(lambda: _healthy(self.url), 60, f"server {self.name} did not start",
                 self.data / "server.log")

    def kill(self) -> None:
        """kill -9 of the whole machine: web processes and its worker at once."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        # The worker was started in the server's session: make sure it is gone too.
        subprocess.run(["pkill", "-9", "-f", f"MASTHEAD_DATA_DIR={self.data}"], check=False)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Nginx:
    def __init__(self, root: Path, servers: list[Server], port: int):
        self.dir = root / "nginx"
        self.dir.mkdir(exist_ok=True)
        self.dir.chmod(0o755)
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        upstream = "\n".join(f"        server 127.0.0.1:{s.port} max_fails=1 fail_timeout=3s;"
                             for s in servers)
        (self.dir / "nginx.conf").write_text(f"""\
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    client_max_body_size 20m;
    upstream masthead_app {{
{upstream}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            proxy_pass http://masthead_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
""")
        self.proc = subprocess.Popen(
            [shutil.which("nginx"), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _tcp_open(self.port), 10, "nginx did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Cluster:
    def __init__(self, root: Path, extra_env: dict | None = None):
        self.root = root
        self.pg = Postgres(root)
        self.pg.start()
        self.redis = Redis(root)
        self.redis.start()
        self.media = root / "shared-media"
        self.media.mkdir()
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("MASTHEAD_") and k != "DJANGO_SETTINGS_MODULE"}
        self.env = {
            **base,
            "MASTHEAD_DATABASE_URL": self.pg.url,
            "MASTHEAD_CACHE_URL": self.redis.url,
            "MASTHEAD_SECRET_KEY": SECRET,
            "MASTHEAD_MEDIA_DIR": str(self.media),
            "MASTHEAD_TRUSTED_PROXIES": "127.0.0.1",
            "MASTHEAD_EMAIL_URL": "memory",
            "MASTHEAD_JOBS_DEAD_AFTER": "4",
            "MASTHEAD_COMMENTS_RATE_PER_MINUTE": "100000",
            **(extra_env or {}),
        }
        self.servers = [Server(name, root, self.env) for name in ("a", "b", "c")]
        self.nginx = None
        # One site for all: the front door's address is the site URL on every server.
        front_port = free_port()
        for server in self.servers:
            server.env["MASTHEAD_SITE_URL"] = f"http://127.0.0.1:{front_port}"
            server.env["MASTHEAD_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        self.front_port = front_port

    def masthead(self, *args: str, input: str | None = None, timeout: int = 300,
                 server: Server | None = None) -> subprocess.CompletedProcess:
        env = (server or self.servers[0]).env
        return subprocess.run([sys.executable, "-m", "masthead", *args], env=env, cwd=REPO,
                              capture_output=True, text=True, input=input, timeout=timeout)

    def python(self, code: str, *, server: Server | None = None,
               timeout: int = 300) -> subprocess.CompletedProcess:
        """Run Django code in a process of `server`'s machine (as its newsroom would)."""
        env = {**(server or self.servers[0]).env, "DJANGO_SETTINGS_MODULE": "masthead.settings"}
        prelude = "import django; django.setup()\n"
        done = subprocess.run([sys.executable, "-c", prelude + code], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise AssertionError(f"cluster script failed: {done.stderr[-3000:]}")
        return done

    def start(self) -> None:
        for args in (["migrate", "-v0"], ["demo"]):
            done = self.masthead(*args)
            assert done.returncode == 0, done.stderr[-2000:]
        for server in self.servers:
            server.start()
        self.nginx = Nginx(self.root, self.servers, self.front_port)

    def stop(self) -> None:
        for part in [*self.servers, self.nginx, self.redis]:
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()
        self.pg.stop()


def _tcp_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def wait_for(check, seconds: float, message: str, log: Path | None = None) -> float:
    """Poll `check` until true; returns the seconds it took. Raises with `message` after."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise AssertionError(f"{message} within {seconds} s. {detail}")
