"""Benchmark: a synthetic archive at 10k, 100k and 1M articles, every cost measured (issue 20).

    nice -n 19 .venv/bin/python bench/scale.py --sizes 10000,100000 --databases sqlite
    nohup nice -n 19 .venv/bin/python bench/scale.py --sizes 1000000 > var/scale/1m.log 2>&1 &
    .venv/bin/python bench/scale.py --table            # only rewrite docs/performance.md

For each size the archive is generated once (`bench/lib/scale_corpus.py`: JSON Lines with
comment threads, and the search query sets), then for each database, each step in a fresh
process, exactly as an operator runs it where a CLI exists:

  migrate · `masthead import jsonl` · analyze · `masthead search reindex` ·
  `masthead related rebuild` · sitemaps (index and every file, fetched) · database size ·
  renders (article, front, section, tag, author, deep page) · search (p50/p95/p99 per type)

Wall time, CPU time and the process's peak RSS (`ru_maxrss` from `os.wait4`) are recorded for
every step. Resumable: each finished step is saved at once in
`bench/results/scale-<db>-<size>.json` and skipped on the next run (`--redo STEP` repeats
one; `--skip STEP` leaves one out, e.g. `related` where it cannot finish). The load average
around each step is recorded: the machine is shared. The render and search steps (a minute
or two, timing milliseconds) run at normal priority when the benchmark runs as root, whatever
its own niceness. Never part of `make test`.

PostgreSQL runs use database `archive_scale_<size>` on $MASTHEAD_BENCH_PG (default
postgres://postgres@127.0.0.1:5432), dropped and recreated by the migrate step;
$MASTHEAD_BENCH_PG_DB replaces the `archive_scale` prefix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench" / "lib")]
from procs import tree_pss_bytes  # noqa: E402

RESULTS = REPO / "bench" / "results"
DOC = REPO / "docs" / "performance.md"
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
PG = os.environ.get("MASTHEAD_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Database names are <prefix>_<size>: engineers sharing one server each take their own prefix.
PG_DB = os.environ.get("MASTHEAD_BENCH_PG_DB", "archive_scale")
STEPS = ["migrate", "import", "analyze", "reindex", "related", "sitemaps", "dbsize", "render",
         "search", "export", "backup", "restore"]
PYTHON = sys.executable
MASTHEAD = str(Path(sys.executable).with_name("masthead"))


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 and size % 1_000_000 == 0 else (
        f"{size // 1000}k" if size % 1000 == 0 else str(size))


def _normal_priority() -> None:
    # Latency steps are short and measure milliseconds: at niceness 19 on a busy machine they
    # measured the scheduler (a 10k one-word search p50 of 175 ms). Only root may lower it.
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 0)
    except PermissionError:
        pass


class TreeMemory(threading.Thread):
    """Peak PSS of a process and its children, every 2 s: `ru_maxrss` is one process's, and a
    related rebuild forks workers that share its pages (bench/lib/procs.py)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, False
        self.start()

    def run(self) -> None:
        while not self.done:
            self.peak = max(self.peak, tree_pss_bytes(self.pid))
            time.sleep(2)


def run(argv: list[str], env: dict, log: Path, latency: bool = False) -> dict:
    """Run `argv`, its output appended to `log`; wall, CPU and peak RSS of the process."""
    started, load = time.monotonic(), os.getloadavg()[0]
    with log.open("ab") as fh:
        fh.write(f"\n$ {' '.join(argv)}  ({dt.datetime.now(dt.UTC):%H:%M:%S} UTC)\n".encode())
        fh.flush()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=fh, cwd=REPO,
                                preexec_fn=_normal_priority if latency else None)
        tree = TreeMemory(proc.pid)
        out = b""
        for line in proc.stdout:
            out += line
            fh.write(line)
            fh.flush()
        tree.done = True
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[1:3]} failed (exit {os.waitstatus_to_exitcode(status)}); "
                         f"see {log}")
    return {"seconds": round(time.monotonic() - started, 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "peak_tree_pss_mb": round(tree.peak / 2**20, 1),
            "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2),
            "niceness": 0 if latency and os.geteuid() == 0 else os.getpriority(
                os.PRIO_PROCESS, 0),
            "output": out.decode("utf-8", "replace")}


def child_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def environment(db: str, size: int, work: Path) -> dict:
    env = dict(os.environ)
    data = work / f"{db}-{label(size)}"
    data.mkdir(parents=True, exist_ok=True)
    env.update(MASTHEAD_DATA_DIR=str(data), MASTHEAD_PAGE_CACHE="0",
               MASTHEAD_SECRET_KEY="scale-bench-secret-key-scale-bench-secret-key",
               DJANGO_SETTINGS_MODULE="masthead.settings", PYTHONUNBUFFERED="1")
    if db == "postgres":
        env["MASTHEAD_DATABASE_URL"] = f"{PG}/{PG_DB}_{label(size)}"
    else:
        env.pop("MASTHEAD_DATABASE_URL", None)
    return env


def reset_database(db: str, size: int, env: dict) -> None:
    data = Path(env["MASTHEAD_DATA_DIR"])
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}_{label(size)}"')
            conn.execute(f'CREATE DATABASE "{PG_DB}_{label(size)}"')
    for path in data.glob("masthead.sqlite3*"):
        path.unlink()


def step(name: str, db: str, size: int, corpus: dict, env: dict, log: Path) -> dict:
    child = [PYTHON, str(REPO / "bench" / "lib" / "scale_child.py")]
    if name == "migrate":
        reset_database(db, size, env)
        return run([MASTHEAD, "migrate"], env, log)
    if name == "import":
        return run([MASTHEAD, "import", "jsonl", corpus["file"]], env, log)
    if name == "reindex":
        return run([MASTHEAD, "search", "reindex"], env, log)
    if name == "related":
        return run([MASTHEAD, "related", "rebuild"], env, log)
    if name == "export":
        target = Path(env["MASTHEAD_DATA_DIR"]) / "export.jsonl"
        result = run([MASTHEAD, "export", "jsonl", str(target)], env, log)
        result["bytes"] = target.stat().st_size
        target.unlink()
        return result
    if name in ("backup", "restore"):
        return backup_step(name, db, size, env, log)
    latency = name in ("render", "search")
    if name == "search":
        result = run([*child, "search", corpus["queries"]], env, log, latency)
    else:
        result = run([*child, name], env, log, latency)
    return {**child_json(result.pop("output")), "process": result}


def backup_step(name: str, db: str, size: int, env: dict, log: Path) -> dict:
    """docs/deploy.md's backup and restore, timed: SQLite's online backup API (the site may
    keep serving; `sqlite3 DB ".backup FILE"` does the same) and the copy put back in place
    and checked; pg_dump/pg_restore in the directory format with two parallel jobs and fast
    compression (`-Z 1`: bench/pg_backup.py, 4.7x faster than the default at 10k). The
    SQLite restore replaces the benchmark's database with its backup, so it runs last."""
    data = Path(env["MASTHEAD_DATA_DIR"])
    if db == "postgres":
        url, folder = env["MASTHEAD_DATABASE_URL"], data / "backup.pgdump"
        if name == "backup":
            subprocess.run(["rm", "-rf", str(folder)], check=True)
            result = run(["pg_dump", "-Fd", "-j", "2", "-Z", "1", "-f", str(folder), url],
                         env, log)
            result["bytes"] = sum(p.stat().st_size for p in folder.iterdir())
            result["compression"] = "gzip level 1"
            return result
        restored = f"{PG_DB}_{label(size)}_restored"
        admin = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{restored}"'],
                       check=True)
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{restored}"'], check=True)
        result = run(["pg_restore", "-j", "2", "-d", url.rsplit("/", 1)[0] + "/" + restored,
                      str(folder)], env, log)
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE "{restored}"'], check=True)
        return result
    source, copy = data / "masthead.sqlite3", data / "backup.sqlite3"
    code = ("import sqlite3, sys; a = sqlite3.connect(sys.argv[1]);"
            "b = sqlite3.connect(sys.argv[2]); a.backup(b, pages=4096); b.close()")
    if name == "backup":
        copy.unlink(missing_ok=True)
        result = run([PYTHON, "-c", code, str(source), str(copy)], env, log)
        result["bytes"] = copy.stat().st_size
        return result
    # docs/deploy.md's restore: with the site stopped, the copy replaces the live file (and its
    # -wal/-shm), then SQLite's quick_check reads every page of it, which is the time a
    # restore takes to be trusted. (Copying it back through the backup API needed a third
    # copy of the database on disk: 75 GB at 1M.)
    for stale in data.glob("masthead.sqlite3*"):
        stale.unlink()
    check = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
             "r = c.execute('PRAGMA quick_check').fetchone()[0]; print(r); sys.exit(r != 'ok')")
    started = time.monotonic()
    copy.rename(source)
    result = run([PYTHON, "-c", check, str(source)], env, log)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["method"] = "copy put in place + PRAGMA quick_check"
    return result


def ensure_corpus(size: int, work: Path) -> dict:
    import scale_corpus

    folder = work / f"corpus-{label(size)}"
    folder.mkdir(parents=True, exist_ok=True)
    meta = folder / "meta.json"
    if not meta.exists():
        print(f"generating {size:,} articles into {folder}", flush=True)
        info = scale_corpus.generate(size, folder / "articles.jsonl", folder / "queries.json")
        meta.write_text(json.dumps(info, indent=2))
    return {**json.loads(meta.read_text()), "file": str(folder / "articles.jsonl"),
            "queries": str(folder / "queries.json")}


def run_size(db: str, size: int, work: Path, redo: set, skip: set) -> dict:
    out = RESULTS / f"scale-{db}-{label(size)}.json"
    result = json.loads(out.read_text()) if out.exists() else {}
    result.setdefault("steps", {})
    if "migrate" in redo:  # a fresh database invalidates every later step this run measures;
        # a step it skips keeps its earlier figure (each step carries its own date)
        result["steps"] = {k: v for k, v in result["steps"].items() if k in skip}
    corpus = ensure_corpus(size, work)
    result.update(database=db, articles=size, corpus={k: v for k, v in corpus.items()
                                                      if k not in ("file", "queries")},
                  machine={"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()})
    env = environment(db, size, work)
    log = work / f"{db}-{label(size)}.log"
    for name in STEPS:
        if name in skip or (name in result["steps"] and name not in redo):
            continue
        print(f"[{db} {label(size)}] {name} …", flush=True)
        started = dt.datetime.now(dt.UTC)
        measured = step(name, db, size, corpus, env, log)
        measured.pop("output", None)
        measured["date"] = f"{started:%Y-%m-%d %H:%M} UTC"
        result["steps"][name] = measured
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"[{db} {label(size)}] {name}: {json.dumps(measured)[:300]}", flush=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--work", default=str(REPO / "var" / "scale"),
                        help="corpora, data dirs and logs (kept between runs)")
    parser.add_argument("--redo", default="", help="comma-separated steps to repeat")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out")
    parser.add_argument("--table", action="store_true", help="only rewrite the doc table")
    args = parser.parse_args(argv)
    if not args.table:
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
        redo, skip = set(filter(None, args.redo.split(","))), set(filter(None,
                                                                        args.skip.split(",")))
        for size in [int(s) for s in args.sizes.split(",")]:
            for db in args.databases.split(","):
                run_size(db, size, work, redo, skip)
    import scale_report

    table = scale_report.table(sorted(RESULTS.glob("scale-*.json")))
    print(table)
    write_doc(table)
    return 0


def write_doc(table: str) -> None:
    block = f"{START}\n{table}\n{END}"
    text = DOC.read_text()
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text,
                      flags=re.S)
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
