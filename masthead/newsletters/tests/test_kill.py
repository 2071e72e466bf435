"""The kill test: workers killed with -9 again and again while an issue goes to 10,000
subscribers; the SMTP server's ledger shows no reader received two copies.

Real parts throughout: a migrated SQLite site in a temporary data dir, `masthead newsletters
import` and `send` as an operator would run them, `masthead worker` processes killed with
SIGKILL at random moments, and the aiosmtpd server of the test process as the ledger.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .smtpserver import SmtpServer

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]
COUNT = int(os.environ.get("MASTHEAD_KILL_TEST_SUBSCRIBERS", "10000"))
MID = re.compile(rb"^Message-ID: <nl-(\d+)-(\d+)-", re.M | re.I)


def _masthead(args, env, **kw):
    done = subprocess.run([sys.executable, "-m", "masthead", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600, **kw)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _worker(env, log):
    return subprocess.Popen([sys.executable, "-m", "masthead", "worker", "--concurrency", "2"],
                            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def test_killed_workers_never_send_a_reader_two_copies(tmp_path):
    smtp = SmtpServer().start()
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(tmp_path),
           "MASTHEAD_EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
           "MASTHEAD_JOBS_EAGER": "none", "MASTHEAD_JOBS_DEAD_AFTER": "2",
           "MASTHEAD_NEWSLETTERS_LEASE_SECONDS": "1",
           "MASTHEAD_SECRET_KEY": "kill-test-secret-key-0123456789-abcdefghij"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("MASTHEAD_DATABASE_URL", None)  # this test reads the live SQLite file directly
    try:
        _masthead(["migrate", "-v0"], env)
        _masthead(["newsletters", "create", "Morning", "--sender", "news@example.org"], env)
        csv = tmp_path / "list.csv"
        csv.write_text("email,subscribed_to_emails,created_at\n" + "".join(
            f"reader{n}@example.org,true,2024-01-01T00:00:00Z\n" for n in range(COUNT)))
        _masthead(["newsletters", "import", str(csv), "--newsletter", "morning"], env)
        issue = json.loads(_masthead(["newsletters", "send", "morning", "--subject", "Kill"],
                                     env))["issue"]
        log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115
        kills, interrupted = 0, 0
        rng = random.Random(17)
        while kills < 4:
            start = len(smtp.ledger.received)
            proc = _worker(env, log)
            # A worker takes seconds to start on a busy machine: kill it at a random moment
            # once it is sending, so every kill lands mid-batch.
            waited = time.monotonic() + 120
            while len(smtp.ledger.received) == start and time.monotonic() < waited:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.1, 1.5))
            before = len(smtp.ledger.received)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
            interrupted += 0 < before < COUNT
            time.sleep(2.5)  # past MASTHEAD_JOBS_DEAD_AFTER: the next worker recovers its jobs
        assert interrupted >= 2, "the kills did not land during the send"
        proc = _worker(env, log)
        deadline = time.monotonic() + 600
        db = sqlite3.connect(tmp_path / "masthead.sqlite3", timeout=30)
        try:
            # Read the live database directly: a `masthead` command costs seconds of CPU that
            # the worker under test would lose on a small machine.
            while time.monotonic() < deadline:
                status = db.execute("SELECT status FROM newsletters_issue WHERE id = ?",
                                    (issue,)).fetchone()[0]
                if status == "sent":
                    break
                time.sleep(0.5)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        assert status == "sent", _masthead(["newsletters", "progress", str(issue)], env)
        rows = dict(db.execute(
            "SELECT subscriber_id, status FROM newsletters_delivery WHERE issue_id = ?",
            (issue,)).fetchall())
        db.close()
    finally:
        smtp.stop()
    copies: dict[int, int] = {}
    for received in smtp.ledger.received:
        sid, iid = MID.search(received.data).groups()
        assert int(iid) == issue
        copies[int(sid)] = copies.get(int(sid), 0) + 1
    assert len(rows) == COUNT
    assert max(copies.values()) == 1, "a reader received two copies"
    statuses = {s: list(rows.values()).count(s) for s in set(rows.values())}
    assert set(statuses) <= {"sent", "in_doubt"}, statuses
    for sid, status in rows.items():
        if status == "sent":
            assert copies.get(sid) == 1
        else:
            assert copies.get(sid, 0) <= 1
    # At most one recipient per sending thread can be caught between claim and mark per kill.
    assert statuses.get("in_doubt", 0) <= kills * 2
    print(f"\nkill test: {kills} kills, {statuses}, "
          f"{sum(copies.values())} copies received for {COUNT} subscribers")
