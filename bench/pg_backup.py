"""Benchmark: `pg_dump`/`pg_restore` of a Masthead database at several compression levels.

docs/deploy.md's backup is `pg_dump -Fd -j N`; its default compression (gzip level 6, in the
dump process) is CPU work that a two-core machine pays for every table. This times the dump
and the restore (into a fresh database beside the source, dropped afterwards) per level, and
the dump's size, so the documented command can be chosen on figures:

    python bench/pg_backup.py --url postgres://postgres@127.0.0.1:5432/archive_scale_10k \\
        --label 10k --levels default,1,0

Writes bench/results/pg_backup-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _timed(argv: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(argv, check=True)
    return round(time.monotonic() - started, 1)


def measure(url: str, level: str, jobs: int, folder: Path) -> dict:
    server, name = url.rsplit("/", 1)
    admin, restored = f"{server}/postgres", f"{name}_restore_bench"
    dump = folder / f"dump-{level}"
    shutil.rmtree(dump, ignore_errors=True)
    compress = [] if level == "default" else ["-Z", level]
    result = {"level": level, "jobs": jobs, "load_before": round(os.getloadavg()[0], 2)}
    result["dump_s"] = _timed(["pg_dump", "-Fd", "-j", str(jobs), *compress, "-f", str(dump),
                               url])
    result["dump_mb"] = round(sum(p.stat().st_size for p in dump.iterdir()) / 2**20, 1)
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{restored}"'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{restored}"'], check=True)
    try:
        result["restore_s"] = _timed(["pg_restore", "-j", str(jobs), "-d",
                                      f"{server}/{restored}", str(dump)])
        # The restored copy's size is the site's without the source's dead rows.
        size = subprocess.run(["psql", admin, "-Atc", f"SELECT pg_database_size('{restored}')"],
                              check=True, capture_output=True, text=True).stdout
        result["restored_mb"] = round(int(size) / 2**20, 1)
    finally:
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE "{restored}"'], check=True)
        shutil.rmtree(dump, ignore_errors=True)
    result["load_after"] = round(os.getloadavg()[0], 2)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the database to dump")
    parser.add_argument("--label", required=True, help="e.g. 10k")
    parser.add_argument("--levels", default="default,1,0",
                        help="pg_dump -Z levels to compare; 'default' passes none")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--folder", default=None, help="where the dumps go (default: a temp "
                                                       "folder)")
    args = parser.parse_args(argv)
    folder = Path(args.folder or tempfile.mkdtemp(prefix="pg-backup-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    runs = [measure(args.url, level, args.jobs, folder) for level in args.levels.split(",")]
    for run in runs:
        print(json.dumps(run))
    out = REPO / "bench" / "results" / f"pg_backup-{args.label}.json"
    out.write_text(json.dumps({"url_database": args.url.rsplit("/", 1)[1], "runs": runs},
                              indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
