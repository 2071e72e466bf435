"""A live Masthead site for the process-level tests (the kill test, the global send rate):
its own data dir, its own database — a SQLite file, or, when the test run has
MASTHEAD_DATABASE_URL set (the PostgreSQL pass), a fresh PostgreSQL database beside the test
database — and `masthead` commands and workers run as an operator would run them.

The tests read the live database directly (`query`), not through `masthead` commands: a command
costs seconds of CPU that the workers under test would lose on a small machine.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[3]


class LiveSite:
    def __init__(self, tmp_path: Path, smtp_port: int, name: str, **env):
        self.tmp_path = tmp_path
        self.env = {**os.environ, "MASTHEAD_DATA_DIR": str(tmp_path),
                    "MASTHEAD_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                    "MASTHEAD_SECRET_KEY": f"{name}-secret-key-0123456789-abcdefghijklmnop",
                    **{k: str(v) for k, v in env.items()}}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        url = os.environ.get("MASTHEAD_DATABASE_URL", "")
        self.pg_url = ""
        if urlsplit(url).scheme in ("postgres", "postgresql"):
            parts = urlsplit(url)
            base = parts.path.lstrip("/") or "masthead"
            self.pg_url = urlunsplit(parts._replace(path=f"/{base}_{name}"))
            self._recreate_pg()
            self.env["MASTHEAD_DATABASE_URL"] = self.pg_url
        else:
            self.env.pop("MASTHEAD_DATABASE_URL", None)
        self._db = None

    @property
    def vendor(self) -> str:
        return "postgresql" if self.pg_url else "sqlite"

    def _admin(self):
        import psycopg

        parts = urlsplit(self.pg_url)
        return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)

    def _recreate_pg(self) -> None:
        name = urlsplit(self.pg_url).path.lstrip("/")
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    def masthead(self, *args, timeout=600) -> str:
        done = subprocess.run([sys.executable, "-m", "masthead", *args], env=self.env,
                              cwd=REPO, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def issue_to_readers(self, count: int, subject: str) -> int:
        """Migrate, make the "morning" newsletter with `count` consenting readers (imported as
        a publisher would, from a CSV), and queue one issue to them: its id."""
        self.masthead("migrate", "-v0")
        self.masthead("newsletters", "create", "Morning", "--sender", "news@example.org")
        csv = self.tmp_path / "list.csv"
        csv.write_text("email,subscribed_to_emails,created_at\n" + "".join(
            f"reader{n}@example.org,true,2024-01-01T00:00:00Z\n" for n in range(count)))
        self.masthead("newsletters", "import", str(csv), "--newsletter", "morning")
        return json.loads(self.masthead("newsletters", "send", "morning", "--subject",
                                        subject))["issue"]

    def worker(self, log, concurrency: int = 2) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "masthead", "worker", "--concurrency", str(concurrency)],
            env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def query(self, sql: str, params=()) -> list[tuple]:
        """Rows of one SELECT on the live database; `?` placeholders on both engines."""
        if self._db is None:
            if self.pg_url:
                import psycopg

                self._db = psycopg.connect(self.pg_url, autocommit=True)
            else:
                self._db = sqlite3.connect(self.tmp_path / "masthead.sqlite3", timeout=30)
        if self.pg_url:
            sql = sql.replace("?", "%s")
        return list(self._db.execute(sql, params).fetchall())

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self.pg_url:
            name = urlsplit(self.pg_url).path.lstrip("/")
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
