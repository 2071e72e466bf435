"""Benchmark: SQLite search with the index out of the page cache (issue 20, item 3), engine only.

    python bench/fts5_cold.py CORPUS_DIR --db FILE [--pgsz N] [--page-size N] [--vacuum-into FILE]

Builds an FTS5 table made like migrations 0002/0003 (porter unicode61, the same columns) from
a scale corpus (`bench/lib/scale_corpus.py`; ids growing with publication time, as on a site)
the way `search reindex` fills its new table: transactions of 500 articles, then FTS5's
incremental merge to one segment (`sqlite_fts5._merge`). `--pgsz` sets FTS5's leaf page size,
`--page-size` SQLite's page size (set before the table is created); `--vacuum-into` copies
the built index to FILE with `VACUUM INTO` (every table's pages in order) and measures that.
An existing FILE is reused, not rebuilt.

For each query type of the corpus's set (filters left out), every query is run as the search
page runs it (`sqlite_fts5._PAGE`, the newest 4,000 matches ranked, then the page's headlines
and snippets, `_HIGHLIGHT_ONE`), once right after the kernel's page cache is emptied
(`/proc/sys/vm/drop_caches`: needs root) and once again warm; wall ms p50/p95/p99. For the
phrases it also lists the slowest cold ones with the bytes they read from disk
(`/proc/self/io`). Results are merged into `bench/results/search_scale.json` under
`fts5-cold-<label>`. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench" / "lib")]
from result_files import merge_into  # noqa: E402

OUT = REPO / "bench" / "results" / "search_scale.json"
TYPES = ("one-word", "multi-word", "phrase")


def build(db: Path, corpus: Path, pgsz: int | None, page_size: int | None) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'search_fts'").fetchone()[0]:
        return conn
    if page_size:
        conn.execute(f"PRAGMA page_size = {int(page_size)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, standfirst, body, facets, "
                 "tokenize='porter unicode61 remove_diacritics 2')")
    if pgsz:
        conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('pgsz', ?)", [pgsz])
    with (corpus / "articles.jsonl").open() as fh:
        lines = fh.readlines()  # ~7 GB at 1M: the machine has 24
    lines.reverse()  # the corpus is newest first; a site's ids grow with time
    insert = "INSERT INTO search_fts(rowid, title, standfirst, body, facets) VALUES (?,?,?,?,'')"
    started, batch = time.monotonic(), []
    for n, line in enumerate(lines, 1):
        r = json.loads(line)
        batch.append((n, r["title"], r.get("standfirst", ""),
                      re.sub(r"^#+ ", "", r["body"], flags=re.M)))
        if len(batch) == 500:
            conn.execute("BEGIN")
            conn.executemany(insert, batch)
            conn.execute("COMMIT")
            batch = []
    if batch:
        conn.execute("BEGIN")
        conn.executemany(insert, batch)
        conn.execute("COMMIT")
    del lines
    pages = -2000
    while True:  # as sqlite_fts5._merge: until a step changes nothing
        conn.execute("BEGIN")
        before = conn.total_changes
        conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('merge', ?)", [pages])
        conn.execute("COMMIT")
        if conn.total_changes - before < 2:
            break
        pages = 2000
    print(f"built {n:,} articles in {time.monotonic() - started:.0f} s", flush=True)
    return conn


def empty_page_cache() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("1\n")


def read_bytes() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("read_bytes"):
            return int(line.split()[1])
    return 0


def run(conn, items, backend, parse) -> list[dict]:
    page = backend._PAGE.replace("%s", "?")
    one = backend._HIGHLIGHT_ONE.replace("%s", "?")
    out = []
    for raw, _filters in items:
        expr = backend.match_expression(parse(raw))
        before, started = read_bytes(), time.perf_counter()
        rows = conn.execute(page, [expr, backend.RANK_WINDOW, 10, 0]).fetchall()
        if rows:
            params = []
            for pk, *_ in rows:
                params += [backend.START, backend.END, backend.START, backend.END, " … ",
                           expr, pk]
            conn.execute(" UNION ALL ".join([one] * len(rows)), params).fetchall()
        out.append({"q": raw, "ms": (time.perf_counter() - started) * 1000,
                    "read_mb": (read_bytes() - before) / 2**20,
                    "matches": rows[0][2] if rows else 0})
    return out


def percentiles(runs: list[dict]) -> dict:
    ms = sorted(r["ms"] for r in runs)
    return {f"p{p}_ms": round(ms[min(len(ms) - 1, int(len(ms) * p / 100))], 1)
            for p in (50, 95, 99)} | {"read_mb": round(sum(r["read_mb"] for r in runs))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--pgsz", type=int)
    parser.add_argument("--page-size", type=int)
    parser.add_argument("--vacuum-into", type=Path)
    parser.add_argument("--label", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from masthead.search.backends import sqlite_fts5 as backend
    from masthead.search.query import parse

    conn = build(args.db, args.corpus, args.pgsz, args.page_size)
    db = args.db
    if args.vacuum_into:
        if not args.vacuum_into.exists():
            conn.execute("VACUUM INTO ?", [str(args.vacuum_into)])
        conn.close()
        db = args.vacuum_into
        conn = sqlite3.connect(db)
    sets = json.loads((args.corpus / "queries.json").read_text())
    report = {"db": str(db), "db_mb": os.path.getsize(db) // 2**20,
              "page_size": conn.execute("PRAGMA page_size").fetchone()[0],
              "pgsz": args.pgsz, "articles": conn.execute(
                  "SELECT max(rowid) FROM search_fts").fetchone()[0],
              "load_before": round(os.getloadavg()[0], 2)}
    for name in TYPES:
        empty_page_cache()
        cold = run(conn, sets[name], backend, parse)
        warm = run(conn, sets[name], backend, parse)
        report[name] = {"cold": percentiles(cold), "warm": percentiles(warm)}
        print(f"{name:11} cold {report[name]['cold']}  warm {report[name]['warm']}", flush=True)
        if name == "phrase":
            report["slowest_cold_phrases"] = [
                {k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()}
                for r in sorted(cold, key=lambda r: -r["ms"])[:10]]
    report["load_after"] = round(os.getloadavg()[0], 2)
    report["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    merge_into(OUT, f"fts5-cold-{args.label}", report, indent=1)


if __name__ == "__main__":
    main()
