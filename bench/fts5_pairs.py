"""Experiment: SQLite phrases as one posting list of adjacent-token pairs, and what it costs
(issue 20, item 3). Measured, not adopted: docs/search.md, "Phrases on SQLite: pairs measured".

    python bench/fts5_pairs.py CORPUS_DIR [--limit 20000]

At 1M articles a phrase of two common words costs what reading their positions in every
article holding both costs (FTS5 has no shortcut). PostgreSQL answers such phrases from an
index of lexeme pairs (migrations 0004, 0006); this measures the same idea on FTS5, exactly:

- The tokens are FTS5's own: each run of text between ASCII separators (unicode61 splits at
  every ASCII character but letters and digits) is tokenized by an in-memory FTS5 table with
  the search table's tokenizer and read back from its `fts5vocab` instance table, in a
  transaction that is rolled back. Runs already seen are remembered.
- A pair term is the first token's length in two hex digits, both tokens, then "0": one way
  to decode it, and the final digit keeps the porter stemmer off it.
- A phrase of n words is a phrase of its n - 1 pair terms; the run checks it finds exactly
  the articles the text phrase finds, for every phrase of the corpus's query set.

Three tables from the same articles (`hashsize` 16 MB, merged at the end): the text table as
migration 0003 makes it; the same with three pair columns (FTS5 stores their text too); and
a contentless table of the pair columns alone, which is what shipping it would need. Reports
CPU seconds to fill each, its size, and the phrase queries' CPU per statement both ways.
Results: `bench/results/fts5_pairs.json`. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench" / "lib"))
from result_files import merge_into  # noqa: E402

OUT = REPO / "bench" / "results" / "fts5_pairs.json"
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
RUN = re.compile(r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")
WORD = re.compile(r"[^\W_]+")  # the site's query words (masthead/search/query.py)


class Tokens:
    def __init__(self):
        self.db = sqlite3.connect(":memory:", isolation_level=None)
        self.db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, content='', {TOKENIZE})")
        self.db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        self.known: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str) -> list[str]:
        runs = RUN.findall(text)
        missing = [run for run in set(runs) if run not in self.known]
        if missing:
            found: dict[int, list[str]] = {n: [] for n in range(len(missing))}
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", enumerate(missing))
            for doc, term in self.db.execute("SELECT doc, term FROM v ORDER BY doc, offset"):
                found[doc].append(term)
            self.db.execute("ROLLBACK")
            self.known.update((run, tuple(found[n])) for n, run in enumerate(missing))
        return [token for run in runs for token in self.known[run]]


def pair_terms(tokens: list[str]) -> str:
    return " ".join(f"{len(a):02x}{a}{b}0" for a, b in zip(tokens, tokens[1:]))


def build(path: Path, columns: str, rows, options: str = "") -> tuple[float, int]:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5({columns}, {options}{TOKENIZE})")
    db.execute("INSERT INTO t(t, rank) VALUES ('hashsize', 16777216)")
    started = time.process_time()
    for start in range(0, len(rows), 500):
        db.executemany(f"INSERT INTO t(rowid, {columns}) VALUES ({', '.join('?' * len(rows[0]))})",
                       rows[start:start + 500])
        db.commit()
    db.execute("INSERT INTO t(t, rank) VALUES ('merge', -2000)")
    db.commit()
    return time.process_time() - started, path.stat().st_size


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * share))], 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=REPO / "var")
    args = parser.parse_args()
    args.work.mkdir(exist_ok=True)
    articles = []
    with (args.corpus / "articles.jsonl").open() as fh:
        for line in fh:
            record = json.loads(line)
            articles.append((record["title"], record.get("standfirst", ""), record["body"]))
            if len(articles) >= args.limit:
                break
    tokens = Tokens()
    started = time.process_time()
    pairs = [tuple(pair_terms(tokens(text)) for text in article) for article in articles]
    report = {"articles": len(articles), "load_before": round(os.getloadavg()[0], 2),
              "pairs_python_cpu_ms_per_article": round(
                  (time.process_time() - started) * 1000 / len(articles), 3)}
    ids = range(1, len(articles) + 1)
    tables = {
        "text": ("title, standfirst, body, facets",
                 [(n, *a, "") for n, a in zip(ids, articles)]),
        "text_and_pairs": ("title, standfirst, body, facets, tp, sp, bp",
                           [(n, *a, "", *p) for n, a, p in zip(ids, articles, pairs)]),
        "pairs_contentless": ("tp, sp, bp", [(n, *p) for n, p in zip(ids, pairs)]),
    }
    for name, (columns, rows) in tables.items():
        options = "content='', " if name == "pairs_contentless" else ""
        cpu, size = build(args.work / f"fts5-pairs-{name}.sqlite3", columns, rows, options)
        report[name] = {"fill_cpu_s": round(cpu, 2), "mb": round(size / 2**20, 1)}
        print(f"{name:18} filled in {cpu:6.1f} CPU s, {size / 2**20:7.1f} MB", flush=True)
    db = sqlite3.connect(args.work / "fts5-pairs-text_and_pairs.sqlite3")
    phrases = [WORD.findall(raw.lower()) for raw, _ in
               json.loads((args.corpus / "queries.json").read_text())["phrase"]]
    timings: dict[str, list[float]] = {"text": [], "pairs": []}
    for words in phrases:
        found = {}
        for way, expression in (
                ("text", '{title standfirst body} : "' + " ".join(words) + '"'),
                ("pairs", '{tp sp bp} : "' + pair_terms(tokens(" ".join(words))) + '"')):
            cpu = time.process_time()
            found[way] = [row for row, in db.execute(
                "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid DESC", [expression])]
            timings[way].append((time.process_time() - cpu) * 1000)
        assert found["text"] == found["pairs"], (words, found)
    for way, values in timings.items():
        report[f"phrase_cpu_ms_{way}"] = {"p50": percentile(values, .5),
                                          "p95": percentile(values, .95),
                                          "max": percentile(values, 1)}
        print(f"phrases as {way:5}: CPU p50 {report[f'phrase_cpu_ms_{way}']['p50']:6.3f} "
              f"p95 {report[f'phrase_cpu_ms_{way}']['p95']:6.3f} ms "
              f"({len(values)} phrases, same matches both ways)")
    report["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    merge_into(OUT, f"{len(articles)}", report, indent=1)


if __name__ == "__main__":
    main()
