"""Benchmark: what SQLite's ranking statement costs as the archive grows, every match scored
against the newest-N window (masthead/search/backends/sqlite_fts5.py), engine only.

    python bench/fts5_window.py CORPUS_DIR --db var/fts5-100k.sqlite3 [--limit N] [--repeat K]

Loads the corpus's articles (`bench/lib/scale_corpus.py` JSON Lines: title, standfirst,
body) into an FTS5 table made like migrations 0002/0003 (porter unicode61, same columns),
then runs the backend's own ranking statement (`sqlite_fts5._RANK`) for each query of the
corpus's query set, once with the window (4,000) and once with a window larger than the
archive (every match scored, what the backend did before), and reports CPU ms per
statement (p50/p95/max, `time.process_time`: SQLite runs in this process) per category.
Filters are left out (they need the site's section ids). Results are merged into
`bench/results/search_scale.json` under `fts5-<articles>`. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench" / "lib"))
from result_files import merge_into  # noqa: E402

OUT = REPO / "bench" / "results" / "search_scale.json"


def records(corpus: Path, repeat: int):
    """The corpus's articles, `repeat` times over: the same word distribution in an archive
    `repeat` times larger (each word's matches grow by exactly that factor)."""
    for _ in range(repeat):
        with (corpus / "articles.jsonl").open() as fh:
            for line in fh:
                record = json.loads(line)
                yield record["title"], record.get("standfirst", ""), record["body"]


def build(db: Path, corpus: Path, limit: int, repeat: int = 1) -> int:
    conn = sqlite3.connect(db)
    if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'search_fts'").fetchone()[0]:
        return conn.execute("SELECT count(*) FROM search_fts").fetchone()[0]
    conn.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, standfirst, body, facets, "
                 "tokenize='porter unicode61 remove_diacritics 2')")
    insert = "INSERT INTO search_fts(rowid, title, standfirst, body, facets) VALUES (?,?,?,?,'')"
    n, batch = 0, []
    for title, standfirst, body in records(corpus, repeat):
        n += 1
        batch.append((n, title, standfirst, body))
        if len(batch) == 2000:
            conn.executemany(insert, batch)
            conn.commit()
            batch = []
        if n >= limit:
            break
    if batch:
        conn.executemany(insert, batch)
    conn.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    conn.commit()
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=10**9)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=1,
                        help="load the corpus this many times (a 10x archive from 100k)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from masthead.search.backends.sqlite_fts5 import _COUNT, _RANK, RANK_WINDOW, match_expression
    from masthead.search.query import parse

    started = time.process_time()
    articles = build(args.db, args.corpus, args.limit, args.repeat)
    print(f"{articles:,} articles, built in {time.process_time() - started:.0f} CPU s")
    conn = sqlite3.connect(args.db)
    rank, count = _RANK.replace("%s", "?"), _COUNT.replace("%s", "?")
    sets = json.loads((args.corpus / "queries.json").read_text())
    report = {"articles": articles, "repeat": args.repeat,
              "load_before": round(os.getloadavg()[0], 2)}
    for name, items in sets.items():
        if name == "filtered":
            continue
        rows = {}
        for label, window in (("window", RANK_WINDOW), ("every_match", 10**9)):
            cpus, matches = [], []
            for raw, _filters in items:
                expr = match_expression(parse(raw))
                matches.append(conn.execute(count, [expr, 10**9]).fetchone()[0])
                cpu = time.process_time()
                conn.execute(rank, [expr, expr, window - 1, 10, 0]).fetchall()
                cpus.append((time.process_time() - cpu) * 1000)
            cpus.sort()
            rows[label] = {"cpu_p50_ms": round(cpus[len(cpus) // 2], 2),
                           "cpu_p95_ms": round(cpus[int(len(cpus) * .95)], 2),
                           "cpu_max_ms": round(cpus[-1], 2)}
        matches.sort()
        rows["matches_p50"], rows["matches_max"] = matches[len(matches) // 2], matches[-1]
        report[name] = rows
        print(f"{name:14} matches p50 {rows['matches_p50']:>7,} max {rows['matches_max']:>7,}  "
              f"every match: cpu p50 {rows['every_match']['cpu_p50_ms']:6.2f} "
              f"p95 {rows['every_match']['cpu_p95_ms']:6.2f} ms   window: "
              f"p50 {rows['window']['cpu_p50_ms']:6.2f} p95 {rows['window']['cpu_p95_ms']:6.2f}"
              f" ms", flush=True)
    report["load_after"] = round(os.getloadavg()[0], 2)
    report["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    merge_into(OUT, f"fts5-{articles}", report, indent=1)


if __name__ == "__main__":
    main()
