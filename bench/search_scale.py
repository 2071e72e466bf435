"""Benchmark: search latency and CPU per query on an imported scale site (issue 20, item 3).

Run against a site the scale benchmark (or `masthead import jsonl`) built, with the usual
environment (`MASTHEAD_DATA_DIR`, and `MASTHEAD_DATABASE_URL` for PostgreSQL):

    python bench/search_scale.py QUERIES.json --label sqlite-100k [--rounds 2] [--slowest 5]

Each category of the query set (`bench/lib/scale_corpus.py`: one-word, multi-word, phrase,
filtered, frequent-word) is timed through `services.search()` (what the page and the API
call), after a warm-up pass over a sample of all of them. For every query it records wall
time and this process's CPU time (`time.process_time`: on PostgreSQL the server's own CPU
is not in it, so compare the wall figures there), and prints the slowest queries, which is
where to point EXPLAIN. The load average before and after each category is recorded: the
machine is shared. Results are merged into `bench/results/search_scale.json` under `--label`.
`--during-reindex` instead runs `masthead search reindex` in a child process and searches
the one-word queries over and over until it ends: how many searches ran, how many failed or
found nothing although they found something before, and their wall-time percentiles (the
index must keep answering throughout, issue 20). Never part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench" / "lib"))
from result_files import merge_into  # noqa: E402

OUT = REPO / "bench" / "results" / "search_scale.json"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def time_category(items, slowest: int) -> dict:
    from masthead.search.services import SearchFilters, search

    walls, cpus, rows = [], [], []
    load = os.getloadavg()[0]
    for raw, filters in items:
        cpu, wall = time.process_time(), time.perf_counter()
        page = search(raw, SearchFilters(**filters))
        wall_ms = (time.perf_counter() - wall) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        walls.append(wall_ms)
        cpus.append(cpu_ms)
        rows.append((wall_ms, cpu_ms, raw, filters, page.total))
    rows.sort(key=lambda r: r[0], reverse=True)
    return {"queries": len(walls), "p50_ms": _pct(walls, .5), "p95_ms": _pct(walls, .95),
            "p99_ms": _pct(walls, .99), "max_ms": round(max(walls), 2),
            "cpu_p50_ms": _pct(cpus, .5), "cpu_p95_ms": _pct(cpus, .95),
            "cpu_mean_ms": round(statistics.fmean(cpus), 2),
            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2),
            "slowest": [{"wall_ms": round(w, 1), "cpu_ms": round(c, 1), "q": q, "filters": f,
                         "total": t} for w, c, q, f, t in rows[:slowest]]}


def during_reindex(items) -> dict:
    """Search `items` round and round while `masthead search reindex` runs in a child."""
    from masthead.search.services import SearchFilters, search

    before = {raw: search(raw, SearchFilters(**f)).total for raw, f in items}
    child = subprocess.Popen([sys.executable, "-m", "masthead", "search", "reindex"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    walls, failures, empty = [], [], 0
    load = os.getloadavg()[0]
    while child.poll() is None:
        for raw, filters in items:
            started = time.perf_counter()
            try:
                total = search(raw, SearchFilters(**filters)).total
            except Exception as error:  # noqa: BLE001 - counted and reported, not hidden
                failures.append(f"{raw}: {error}")
                continue
            walls.append((time.perf_counter() - started) * 1000)
            empty += before[raw] > 0 and total == 0
            if child.poll() is not None:
                break
    output = child.stdout.read().decode().strip().splitlines()
    return {"reindex": output[-1] if output else "", "exit": child.returncode,
            "searches": len(walls), "failed": len(failures), "failures": failures[:5],
            "found_nothing_that_found_before": empty, "p50_ms": _pct(walls, .5),
            "p95_ms": _pct(walls, .95), "p99_ms": _pct(walls, .99),
            "max_ms": round(max(walls), 2) if walls else None,
            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries")
    parser.add_argument("--label", required=True)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--slowest", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated categories")
    parser.add_argument("--during-reindex", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "bench"))
    import django

    django.setup()
    from django.db import connection

    sets = json.loads(Path(args.queries).read_text())
    if args.only:
        sets = {k: v for k, v in sets.items() if k in args.only.split(",")}
    warm = random.Random(3).sample([q for v in sets.values() for q in v],
                                   min(60, sum(len(v) for v in sets.values())))
    time_category(warm, 0)
    if args.during_reindex:
        result = during_reindex([tuple(q) for q in sets["one-word"]])
        print(json.dumps(result, indent=1))
        merge_into(OUT, args.label, {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                     "vendor": connection.vendor, "during_reindex": result},
                   indent=1)
        return
    rounds = []
    for n in range(args.rounds):
        categories = {}
        for name, items in sets.items():
            categories[name] = time_category(items, args.slowest)
            c = categories[name]
            print(f"round {n + 1} {name:14} p50 {c['p50_ms']:7.1f}  p95 {c['p95_ms']:7.1f}  "
                  f"p99 {c['p99_ms']:7.1f} ms   cpu p50 {c['cpu_p50_ms']:6.1f} "
                  f"p95 {c['cpu_p95_ms']:6.1f} ms  load {c['load_before']}", flush=True)
            for s in c["slowest"]:
                print(f"      {s['wall_ms']:8.1f} ms (cpu {s['cpu_ms']:6.1f}) "
                      f"{s['total']:>5} {s['q']} {s['filters'] or ''}")
        rounds.append(categories)
    merge_into(OUT, args.label, {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                 "vendor": connection.vendor, "rounds": rounds}, indent=1)


if __name__ == "__main__":
    main()
