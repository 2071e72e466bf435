"""The kill test: workers killed with -9 again and again while an issue goes to 10,000
subscribers; the SMTP server's ledger shows no reader received two copies.

Real parts throughout: a migrated site in a temporary data dir (SQLite, or PostgreSQL in the
test suite's PostgreSQL pass: livesite.py), `masthead newsletters import` and `send` as an
operator would run them, `masthead worker` processes killed with SIGKILL at random moments, and
the aiosmtpd server of the test process as the ledger.
"""

from __future__ import annotations

import os
import random
import re
import signal
import time

import pytest

from .livesite import LiveSite
from .smtpserver import SmtpServer

pytestmark = pytest.mark.slow
COUNT = int(os.environ.get("MASTHEAD_KILL_TEST_SUBSCRIBERS", "10000"))
MID = re.compile(rb"^Message-ID: <nl-(\d+)-(\d+)-", re.M | re.I)


def test_killed_workers_never_send_a_reader_two_copies(tmp_path):
    smtp = SmtpServer().start()
    site = LiveSite(tmp_path, smtp.port, "kill", MASTHEAD_JOBS_EAGER="none",
                    MASTHEAD_JOBS_DEAD_AFTER=2, MASTHEAD_NEWSLETTERS_LEASE_SECONDS=1)
    started = time.monotonic()
    try:
        issue = site.issue_to_readers(COUNT, "Kill")
        log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115
        kills, interrupted = 0, 0
        rng = random.Random(17)
        while kills < 4:
            start = len(smtp.ledger.received)
            proc = site.worker(log)
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
        proc = site.worker(log)
        deadline = time.monotonic() + 600
        try:
            while time.monotonic() < deadline:
                [(status,)] = site.query("SELECT status FROM newsletters_issue WHERE id = ?",
                                         (issue,))
                if status == "sent":
                    break
                time.sleep(0.5)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        assert status == "sent", site.masthead("newsletters", "progress", str(issue))
        rows = dict(site.query(
            "SELECT subscriber_id, status FROM newsletters_delivery WHERE issue_id = ?",
            (issue,)))
    finally:
        smtp.stop()
        site.close()
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
    print(f"\nkill test ({site.vendor}): {kills} kills, {statuses}, "
          f"{sum(copies.values())} copies received for {COUNT} subscribers, "
          f"{time.monotonic() - started:.0f} s")
