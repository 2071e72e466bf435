"""Benchmark: where an uncached page's time goes, statement by statement (issue 20).

For the database named by MASTHEAD_DATABASE_URL (or SQLite in MASTHEAD_DATA_DIR), it renders
the scale benchmark's pages through Django's test client, warm, and splits each render's wall
time into the database calls (an `execute_wrapper` timing every statement from the client)
and the rest (Python: views, templates, the ORM). Each statement is then run again under
`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, so the client-side figure can be set beside the
server's planning and execution times. Run it on two sizes of the same archive to see what
grows; it writes bench/results/render_queries-<label>.json.

    MASTHEAD_DATABASE_URL=postgres://…/archive_scale_1m MASTHEAD_DATA_DIR=… \\
        python bench/render_queries.py --label postgres-1m
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench" / "lib")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ.setdefault("MASTHEAD_PAGE_CACHE", "0")


class StatementClock:
    """Django execute wrapper: every statement's SQL and client-side wall time."""

    def __init__(self):
        self.calls: list[tuple[str, list | tuple | None, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append((sql, params, (time.perf_counter() - started) * 1000))


def shape(sql: str) -> str:
    """A statement's name in the report: its tables, in order of appearance."""
    tables = re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql)
    verb = sql.split(None, 1)[0].upper()
    return f"{verb} {'+'.join(dict.fromkeys(tables)) or sql[:40]}"


def explain(sql: str, params) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]
    return {"planning_ms": plan["Planning Time"], "execution_ms": plan["Execution Time"]}


def measure(paths: list[str], repeat: int) -> dict:
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for path in paths:
        assert client.get(path).status_code == 200, path
    walls, db_ms, counts, per_shape, seen = [], [], [], {}, {}
    for _ in range(repeat):
        for path in paths:
            clock = StatementClock()
            started = time.perf_counter()
            with connection.execute_wrapper(clock):
                client.get(path)
            walls.append((time.perf_counter() - started) * 1000)
            db_ms.append(sum(ms for _, _, ms in clock.calls))
            counts.append(len(clock.calls))
            for sql, params, ms in clock.calls:
                per_shape.setdefault(shape(sql), []).append(ms)
                seen.setdefault(shape(sql), (sql, params))
    report = {"renders": len(walls), "median_ms": round(statistics.median(walls), 2),
              "median_db_ms": round(statistics.median(db_ms), 2),
              "median_other_ms": round(statistics.median(w - d for w, d in zip(walls, db_ms)),
                                       2),
              "statements": statistics.median(counts), "by_statement": {}}
    for name, times in per_shape.items():
        entry = {"calls": len(times), "median_ms": round(statistics.median(times), 3)}
        sql, params = seen[name]
        if connection.vendor == "postgresql" and sql.lstrip().upper().startswith("SELECT"):
            runs = [explain(sql, params) for _ in range(5)]
            entry["server_planning_ms"] = round(statistics.median(r["planning_ms"]
                                                                  for r in runs), 3)
            entry["server_execution_ms"] = round(statistics.median(r["execution_ms"]
                                                                   for r in runs), 3)
        report["by_statement"][name] = entry
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True, help="e.g. postgres-1m")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    import django

    django.setup()
    import scale_child
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    result = {"label": args.label, "load_before": round(os.getloadavg()[0], 2),
              "pages": {name: measure(paths, args.repeat)
                        for name, paths in scale_child.render_paths().items()}}
    result["load_after"] = round(os.getloadavg()[0], 2)
    out = REPO / "bench" / "results" / f"render_queries-{args.label}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
