"""Benchmark: how long `search reindex`'s FTS5 merge holds SQLite's write lock, against the
one 'optimize' it replaces (masthead/search/backends/sqlite_fts5.py, `_merge`).

    python bench/fts5_merge.py CORPUS_DIR --db var/fts5-merge.sqlite3 [--repeat K]

Fills an FTS5 table as the rebuild does (the backend's batches of 500, one transaction each,
no optimize), copies the file, then merges one copy with the backend's steps ('merge' of
MERGE_PAGES leaf pages a transaction until a step changes nothing) and the other with one
'optimize', and reports the number of steps, the longest step (the longest a publication
would wait for the lock), the total, and the query time of a frequent word on each result.
Results are merged into `bench/results/search_scale.json` under `fts5-merge-<articles>`.
Never part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "bench" / "lib")]
from result_files import merge_into  # noqa: E402

OUT = REPO / "bench" / "results" / "search_scale.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from fts5_window import records

    from masthead.search.backends.sqlite_fts5 import BATCH, MERGE_PAGES

    args.db.unlink(missing_ok=True)
    conn = sqlite3.connect(args.db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, standfirst, body, facets, "
                 "tokenize='porter unicode61 remove_diacritics 2')")
    insert = "INSERT INTO search_fts(rowid, title, standfirst, body, facets) VALUES (?,?,?,?,'')"
    cpu, batch, n = time.process_time(), [], 0
    for title, standfirst, body in records(args.corpus, args.repeat):
        n += 1
        batch.append((n, title, standfirst, body))
        if len(batch) == BATCH:
            with conn:
                conn.executemany(insert, batch)
            batch = []
    if batch:
        with conn:
            conn.executemany(insert, batch)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    report = {"articles": n, "fill_cpu_s": round(time.process_time() - cpu, 1),
              "merge_pages": MERGE_PAGES, "load_before": round(os.getloadavg()[0], 2)}
    copy = args.db.with_suffix(".optimize.sqlite3")
    shutil.copy(args.db, copy)

    word = json.loads((args.corpus / "queries.json").read_text())["frequent-word"][0][0]

    def frequent(path: Path) -> float:
        """CPU ms of ranking a frequent word's matches (every one scored) on that index."""
        c = sqlite3.connect(path)
        started = time.process_time()
        for _ in range(5):
            c.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
                      "ORDER BY bm25(search_fts) LIMIT 10", [f'"{word}"']).fetchall()
        return round((time.process_time() - started) / 5 * 1000, 2)

    conn = sqlite3.connect(args.db, isolation_level=None)
    steps, longest, started, pages = 0, 0.0, time.monotonic(), -MERGE_PAGES
    while True:
        step = time.monotonic()
        conn.execute("BEGIN IMMEDIATE")
        before = conn.total_changes
        conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('merge', ?)", [pages])
        changed = conn.total_changes - before
        conn.execute("COMMIT")
        steps += 1
        longest = max(longest, time.monotonic() - step)
        pages = MERGE_PAGES
        if changed < 2:
            break
    report["merge"] = {"steps": steps, "longest_step_s": round(longest, 2),
                       "total_s": round(time.monotonic() - started, 1)}
    conn.close()
    conn = sqlite3.connect(copy, isolation_level=None)
    started = time.monotonic()
    conn.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    report["optimize"] = {"one_transaction_s": round(time.monotonic() - started, 1)}
    conn.close()
    report["frequent_word_query_cpu_ms"] = {"merged": frequent(args.db),
                                            "optimized": frequent(copy)}
    report["load_after"] = round(os.getloadavg()[0], 2)
    report["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    print(json.dumps(report, indent=1))
    merge_into(OUT, f"fts5-merge-{n}", report, indent=1)
    copy.unlink()


if __name__ == "__main__":
    main()
