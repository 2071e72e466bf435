"""Newsletter delivery benchmark: one issue to N subscribers through a local SMTP server.

1. A fresh site (SQLite in a temporary data dir, or a fresh PostgreSQL database with
   `--database postgres://...`), migrated; one newsletter with N confirmed subscribers
   (addresses encrypted as the sign-up form stores them).
2. A counting SMTP server (aiosmtpd) in its own process on 127.0.0.1.
3. `masthead newsletters send` writes the ledger and the batch jobs; W `masthead worker`
   processes (each `--concurrency C`) send them. The clock runs from the send command until
   the issue is `sent`.
4. Reports messages a second, the workers' peak resident memory (VmHWM), and the SMTP
   server's count of messages and of duplicate Message-IDs; writes bench/results/newsletters.json
   (one entry per database and size, merged).

    .venv/bin/python bench/newsletter_bench.py --subscribers 10000 [--workers 2] [--concurrency 2]
        [--rate 200]   # MASTHEAD_NEWSLETTERS_RATE: messages a second, all workers together
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "newsletters.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def masthead(args, env) -> str:
    done = subprocess.run([sys.executable, "-m", "masthead", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode:
        raise SystemExit(f"masthead {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def populate(env: dict, count: int) -> None:
    """N confirmed subscribers, written in the site's own code path for addresses."""
    code = f"""
import django, os
django.setup()
from django.utils import timezone
from masthead.newsletters import privacy
from masthead.newsletters.models import Newsletter, Subscriber, Subscription
n = Newsletter.objects.get(slug="bench")
now = timezone.now()
for start in range(0, {count}, 5000):
    subs = Subscriber.objects.bulk_create([Subscriber(
        email_encrypted=privacy.encrypt_email(f"reader{{i}}@example.org"),
        email_digest=privacy.email_digest(f"reader{{i}}@example.org"), name=f"Reader {{i}}",
        status="active", created_at=now, confirmed_at=now)
        for i in range(start, min(start + 5000, {count}))])
    if subs[0].pk is None:
        subs = Subscriber.objects.filter(email_digest__in=[s.email_digest for s in subs])
    Subscription.objects.bulk_create([Subscription(subscriber=s, newsletter=n) for s in subs])
"""
    done = subprocess.run([sys.executable, "-c", code], env={
        **env, "DJANGO_SETTINGS_MODULE": "masthead.settings"}, cwd=REPO, capture_output=True,
        text=True, timeout=3600)
    if done.returncode:
        raise SystemExit(f"populating failed: {done.stderr[-2000:]}")


def issue_status(data_dir: str, db_url: str | None, issue: int) -> str:
    query = "SELECT status FROM newsletters_issue WHERE id = %s"
    if db_url:
        import psycopg

        with psycopg.connect(db_url) as conn:
            return conn.execute(query, (issue,)).fetchone()[0]
    import sqlite3

    with contextlib.closing(sqlite3.connect(Path(data_dir) / "masthead.sqlite3")) as conn:
        return conn.execute(query.replace("%s", "?"), (issue,)).fetchone()[0]


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def database(url: str | None):
    if not url:
        yield None
        return
    sys.path.insert(0, str(REPO))
    from tests.e2e.server import fresh_postgres_database

    with fresh_postgres_database(url, f"mh_nlbench_{os.getpid()}") as fresh:
        yield fresh


def run(count: int, workers: int, concurrency: int, db_url: str | None,
        rate: float = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="masthead-nlbench-") as tmp, \
            database(db_url) as fresh:
        smtp_port = free_port()
        env = {**os.environ, "MASTHEAD_DATA_DIR": tmp, "MASTHEAD_JOBS_EAGER": "none",
               "MASTHEAD_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
               "MASTHEAD_SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop",
               "MASTHEAD_NEWSLETTERS_RATE": str(rate)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("MASTHEAD_DATABASE_URL", None)
        if fresh:
            env["MASTHEAD_DATABASE_URL"] = fresh
        masthead(["migrate", "-v0"], env)
        masthead(["newsletters", "create", "Bench", "--slug", "bench", "--sender",
                  "news@example.org"], env)
        populate(env, count)
        stats_file = Path(tmp) / "smtp.json"
        smtp = subprocess.Popen([sys.executable, "-m", "masthead.newsletters.tests.smtpserver",
                                 str(smtp_port), str(stats_file)], cwd=REPO, env=env)
        time.sleep(1.5)
        procs = [subprocess.Popen([sys.executable, "-m", "masthead", "worker", "--concurrency",
                                   str(concurrency)], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        time.sleep(5)  # let the workers start before the clock does
        started = time.monotonic()
        issue = json.loads(masthead(["newsletters", "send", "bench", "--subject",
                                     "Benchmark issue"], env))["issue"]
        # Poll the database directly: a `masthead` command costs seconds of CPU on a small
        # machine, which the workers being measured would lose.
        while issue_status(tmp, fresh, issue) != "sent":
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        state = json.loads(masthead(["newsletters", "progress", str(issue)], env))
        peaks = [peak_rss_mb(p.pid) for p in procs]
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        smtp.terminate()
        smtp.wait(timeout=60)
        received = json.loads(stats_file.read_text())
    return {"database": "postgresql" if db_url else "sqlite", "subscribers": count,
            "workers": workers, "concurrency": concurrency, "rate_limit": rate,
            "seconds": round(elapsed, 1),
            "messages_per_second": round(count / elapsed, 1),
            "worker_peak_rss_mb": [round(p, 1) for p in peaks],
            "deliveries": state["deliveries"], "smtp": received}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--database", help="postgres://... (default: SQLite)")
    parser.add_argument("--rate", type=float, default=0,
                        help="MASTHEAD_NEWSLETTERS_RATE for the workers (0 = unpaced)")
    args = parser.parse_args()
    result = run(args.subscribers, args.workers, args.concurrency, args.database, args.rate)
    print(json.dumps(result, indent=2))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    name = f"{result['database']}-{args.subscribers}"
    results[name + (f"-rate{args.rate:g}" if args.rate else "")] = result
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
