"""The job queue's throughput and commit-to-done latency, on SQLite and PostgreSQL.

For each database, in a fresh data dir (and a fresh PostgreSQL database), each step a process
of its own, as an operator runs it:

1. `masthead migrate`;
2. N ping jobs enqueued, each in its own transaction (enqueue rate);
3. W `masthead worker --concurrency C` processes started together: the time until all N are
   done gives jobs per second (the queue's own cost: a ping does no work);
4. with the workers idle, M pings one after another, commit-to-done: through the workers at
   their default poll interval, and on the eager path (run by the committing process right
   after its commit, as page purges and search entries are).

    python bench/jobs_bench.py [--jobs 3000] [--workers 2] [--concurrency 2]
                               [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Writes bench/results/jobs.json. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
SITE = [sys.executable, str(REPO / "bench" / "lib" / "jobs_site.py")]


def masthead(args, env, **kw):
    return subprocess.run([sys.executable, "-m", "masthead", *args], env=env, cwd=REPO,
                          check=True, capture_output=True, text=True, **kw)


def site(args, env) -> str:
    return subprocess.run([*SITE, *args], env=env, cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fresh_pg(base: str, name: str) -> str:
    import psycopg

    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def measure(label, env, jobs, workers, concurrency, pings) -> dict:
    masthead(["migrate", "-v0"], env)
    enq = json.loads(site(["enqueue", str(jobs)], env))
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "masthead", "worker", "--concurrency",
                               str(concurrency)], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    try:
        while int(site(["pending"], env)) > 0:
            time.sleep(0.2)
        drained = time.perf_counter() - t0
        via_workers = json.loads(site(["latency", str(pings), "0"], env))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    eager = json.loads(site(["latency", str(pings), "1"], env))

    def summary(values):
        return {"p50_ms": round(statistics.median(values) * 1000, 1),
                "p99_ms": round(percentile(values, 99) * 1000, 1),
                "max_ms": round(max(values) * 1000, 1)}

    result = {
        "jobs": jobs, "workers": workers, "concurrency": concurrency,
        "enqueue_per_s": round(jobs / enq["seconds"], 1),
        "drain_seconds": round(drained, 2),
        "jobs_per_s": round(jobs / drained, 1),
        "commit_to_done_workers": summary(via_workers),
        "commit_to_done_eager": summary(eager),
    }
    print(f"{label:<10} enqueue {result['enqueue_per_s']:>7}/s   run {result['jobs_per_s']:>7}/s"
          f"   commit→done via workers p50 {result['commit_to_done_workers']['p50_ms']} ms"
          f" p99 {result['commit_to_done_workers']['p99_ms']} ms;"
          f" eager p50 {result['commit_to_done_eager']['p50_ms']} ms"
          f" p99 {result['commit_to_done_eager']['p99_ms']} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--pings", type=int, default=200)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "machine": f"{platform.machine()}, {os.cpu_count()} cores",
               "load_before": os.getloadavg()[0]}
    base = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")}
    with tempfile.TemporaryDirectory(prefix="masthead-jobs-bench-") as tmp:
        env = {**base, "MASTHEAD_DATA_DIR": tmp + "/sqlite", "MASTHEAD_JOBS_EAGER": "none"}
        results["sqlite"] = measure("SQLite", env, args.jobs, args.workers, args.concurrency,
                                    args.pings)
        if args.database_url:
            try:
                url = fresh_pg(args.database_url, "masthead_jobs_bench")
            except Exception as exc:  # noqa: BLE001 - no PostgreSQL: SQLite figures only
                print(f"PostgreSQL skipped: {exc}")
            else:
                env = {**base, "MASTHEAD_DATA_DIR": tmp + "/pg", "MASTHEAD_DATABASE_URL": url,
                       "MASTHEAD_SECRET_KEY": "bench-" + "k" * 50,
                       "MASTHEAD_JOBS_EAGER": "none"}
                results["postgresql"] = measure("PostgreSQL", env, args.jobs, args.workers,
                                                args.concurrency, args.pings)
    results["load_after"] = os.getloadavg()[0]
    out = REPO / "bench" / "results" / "jobs.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
