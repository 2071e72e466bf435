"""Benchmark: SQLite page size, 4 KB against 16 KB, on two sites built the same way (decision 0009).

    MASTHEAD_SQLITE_PAGE_SIZE=4096 python bench/scale.py --sizes 100000 --databases sqlite \\
        --work W4 --redo migrate --skip related,export,backup,restore     # and 16384 into W16;
    # keep each run's bench/results/scale-sqlite-100k.json, then empty the kernel's cache
    # before `--redo render` and again before `--redo search` and keep those too
    python bench/sqlite_page_size.py --label 100k \\
        --site 4096 W4/sqlite-100k WARM4.json COLD4.json \\
        --site 16384 W16/sqlite-100k WARM16.json COLD16.json

For each site it puts the scale benchmark's figures side by side (import, reindex, database
size, render medians, search percentiles warm and right after the page cache was emptied)
and times small writes on a copy of its database: 400 transactions, each a comment copied
from a random one and an article's row rewritten, as a comment post does (WAL, synchronous
NORMAL, a 2 MB page cache as a server connection has), with the WAL's size after them.
Merged into `bench/results/sqlite_page_size.json` under the label. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench" / "lib"))
from result_files import merge_into  # noqa: E402

OUT = REPO / "bench" / "results" / "sqlite_page_size.json"
WRITES = 400


def small_writes(database: Path) -> dict:
    with tempfile.TemporaryDirectory(dir=database.parent) as scratch:
        copy = Path(scratch) / "copy.sqlite3"
        shutil.copyfile(database, copy)
        conn = sqlite3.connect(copy, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-2048")
        columns = [r[1] for r in conn.execute("PRAGMA table_info(comments_comment)")
                   if r[1] != "id"]
        # external_key is unique per article when set; a copy is a comment typed on the site
        chosen = ", ".join("''" if c == "external_key" else c for c in columns)
        top = conn.execute("SELECT max(id) FROM comments_comment").fetchone()[0]
        articles = conn.execute("SELECT max(id) FROM articles_article").fetchone()[0]
        rng, times = random.Random(1), []
        for _ in range(WRITES):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"INSERT INTO comments_comment ({', '.join(columns)}) SELECT {chosen} "
                         "FROM comments_comment WHERE id = ?", [rng.randint(1, top)])
            conn.execute("UPDATE articles_article SET updated_at = updated_at WHERE id = ?",
                         [rng.randint(1, articles)])
            conn.execute("COMMIT")
            times.append((time.perf_counter() - started) * 1000)
        wal = Path(f"{copy}-wal").stat().st_size
        conn.close()
    times.sort()
    return {"transactions": WRITES, "p50_ms": round(times[len(times) // 2], 3),
            "p95_ms": round(times[int(len(times) * 0.95)], 3), "wal_mb": round(wal / 2**20, 1)}


def figures(warm: dict, cold: dict) -> dict:
    steps, cold_steps = warm["steps"], cold["steps"]
    return {
        "import_s": steps["import"]["seconds"], "import_cpu_s": steps["import"]["cpu_seconds"],
        "reindex_s": steps["reindex"]["seconds"], "database_mb": steps["dbsize"]["mb"],
        **{f"render_{state}": {page: {"median_ms": v["median_ms"], "p90_ms": v["p90_ms"]}
                               for page, v in s["render"]["pages"].items()}
           for state, s in (("warm", steps), ("cold", cold_steps))},
        **{f"search_{state}": {kind: {k: v[k] for k in ("p50_ms", "p95_ms", "p99_ms")}
                               for kind, v in s["search"]["categories"].items()}
           for state, s in (("warm", steps), ("cold", cold_steps))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--site", nargs=4, action="append", required=True,
                        metavar=("PAGE_SIZE", "DATA_DIR", "WARM_JSON", "COLD_JSON"))
    args = parser.parse_args()
    report = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "load": round(os.getloadavg()[0], 2), "sites": {}}
    for size, data_dir, warm, cold in args.site:
        database = Path(data_dir) / "masthead.sqlite3"
        actual = sqlite3.connect(database).execute("PRAGMA page_size").fetchone()[0]
        if actual != int(size):
            raise SystemExit(f"{database} has {actual}-byte pages, not {size}")
        site = figures(json.loads(Path(warm).read_text()), json.loads(Path(cold).read_text()))
        site["small_writes"] = small_writes(database)
        report["sites"][size] = site
        print(size, json.dumps(site["small_writes"]), "import", site["import_s"], "s,",
              site["database_mb"], "MB", flush=True)
    merge_into(OUT, args.label, report, indent=1)


if __name__ == "__main__":
    main()
