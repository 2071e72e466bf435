"""Benchmark: CPU milliseconds an article for each phase of `store_records` (issue 20, item 1).

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/import_phases.py \\
        /work/scale-data/corpus-10k/articles.jsonl --articles 2000

Why not cProfile: it inflates Python-heavy code (per-character generators, Django's SQL
compiler) several times more than C-heavy code, which misranked the import's costs. Here
each phase is wrapped in `time.process_time()` in one process; the first N articles of a
JSON Lines file are parsed once, then stored twice inside a transaction that is rolled back
(the second run is reported: imports and caches warm), into a fresh migrated SQLite database
(or $MASTHEAD_DATABASE_URL's, which must be empty). Search and other jobs are not run
(`MASTHEAD_JOBS_EAGER=off`): what follows an import is measured by `bench/scale.py`.
Prints a table and writes `bench/results/import_phases.json` (`--out`). Never part of
`make test`.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import platform
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _timed(spent: collections.Counter, owner, name: str, label: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started

    setattr(owner, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" /
                        "import_phases.json")
    args = parser.parse_args()
    scratch = None
    if "MASTHEAD_DATA_DIR" not in os.environ:
        scratch = tempfile.TemporaryDirectory(prefix="import-phases-")
        os.environ["MASTHEAD_DATA_DIR"] = scratch.name
    os.environ["MASTHEAD_JOBS_EAGER"] = "off"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models.query import QuerySet

    from masthead.importers import services
    from masthead.importers.sources.jsonl import parse_jsonl

    call_command("migrate", verbosity=0)
    spent: collections.Counter = collections.Counter()
    for name, label in [("content_verdicts", "spam scoring"), ("render_body", "markdown"),
                        ("_store_relations", "tags, bylines, revisions, redirects"),
                        ("encrypt_email", "e-mail encryption"), ("email_digest", "e-mail digest")]:
        _timed(spent, services, name, label)
    if hasattr(services, "bulk_insert"):
        _timed(spent, services.bulk_insert, "insert", "inserts (all tables)")
    _timed(spent, QuerySet, "bulk_create", "inserts (all tables)")

    with open(args.file, "rb") as fh:
        started = time.process_time()
        records = list(islice(parse_jsonl(fh), args.articles))
        parse = time.process_time() - started
    n = len(records)
    total = 0.0
    for _ in range(2):
        spent.clear()
        started = time.process_time()
        try:
            with transaction.atomic():
                services.store_records(records)
                raise _RolledBack
        except _RolledBack:
            pass
        total = time.process_time() - started
    phases = {k: round(v / n * 1000, 3) for k, v in sorted(spent.items())}
    phases["JSON parsing"] = round(parse / n * 1000, 3)
    result = {"articles": n, "comments": sum(len(r.comments) for r in records),
              "store_ms_per_article": round(total / n * 1000, 3), "phases_ms_per_article": phases,
              "load_average": os.getloadavg(), "niceness": os.getpriority(os.PRIO_PROCESS, 0),
              "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                          time.gmtime())}
    for k, v in phases.items():
        print(f"{k:38s} {v:7.3f} ms/article")
    print(f"{'store_records, all phases':38s} {result['store_ms_per_article']:7.3f} ms/article "
          f"({n} articles, {result['comments']} comments, load {result['load_average'][0]:.1f})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    if scratch is not None:
        scratch.cleanup()
    return 0


class _RolledBack(Exception):
    pass


if __name__ == "__main__":
    raise SystemExit(main())
