"""Benchmark: PostgreSQL's own time per search, by query category (issue 20, item 3).

Wall times on a shared two-core machine mostly measure the other processes; the server's
`EXPLAIN (ANALYZE, BUFFERS)` execution time of each statement a search runs does not. For
each query of a category (`bench/lib/scale_corpus.py` sets), the search runs once through
`services.search()` to warm the caches, once more with its statements captured (the wall
time), and the captured SELECTs are then replayed under `EXPLAIN ANALYZE` in one
transaction, in order, so the planner settings a search's first statement makes apply to
the rest. Their execution times are summed. Results (p50/p95 of both, the load averages)
are merged into `bench/results/search_server_time.json` under `--label`. Never part of
`make test`. Usage, with a PostgreSQL site's environment:

    python bench/search_server_time.py QUERIES.json --label pg-100k-window [--per 40]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from result_files import merge_into  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "bench" / "results" / "search_server_time.json"


def _pct(values, q):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def server_ms(connection, statements) -> float:
    total = 0.0
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SET LOCAL enable_seqscan = off")  # as the backend sets it
        for sql in statements:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                last = cursor.fetchall()[-1][0]  # "Execution Time: 1.234 ms"
                total += float(last.split(":")[1].split()[0])
        cursor.execute("COMMIT")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries")
    parser.add_argument("--label", required=True)
    parser.add_argument("--per", type=int, default=40, help="queries per category")
    args = parser.parse_args()
    import django
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from masthead.search.services import SearchFilters, search

    run = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "load_before": os.getloadavg(), "categories": {}}
    for category, items in json.loads(Path(args.queries).read_text()).items():
        server, wall = [], []
        for raw, filters in items[: args.per]:
            search(raw, SearchFilters(**filters))
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                search(raw, SearchFilters(**filters))
            wall.append((time.perf_counter() - start) * 1000)
            server.append(server_ms(connection, [q["sql"] for q in captured.captured_queries]))
        run["categories"][category] = {
            "queries": len(server), "server_p50_ms": _pct(server, 0.5),
            "server_p95_ms": _pct(server, 0.95), "wall_p50_ms": _pct(wall, 0.5),
            "wall_p95_ms": _pct(wall, 0.95), "load": os.getloadavg()}
        print(category, run["categories"][category], flush=True)
    merge_into(OUT, args.label, run, indent=1)


if __name__ == "__main__":
    main()
