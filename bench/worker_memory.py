"""Server worker memory over a long run of distinct uncached pages (issue 20, item 6).

    python bench/worker_memory.py --data DIR [--requests N] [--workers 2] [--port 8630]
    python bench/worker_memory.py --data DIR --trace [--requests N]

DIR is a MASTHEAD_DATA_DIR holding an imported site (MASTHEAD_SECRET_KEY: the one it was built
with; by default bench/scale.py's) (it is served as it is, page cache off;
copy it first if it must stay untouched). The default run starts `masthead serve` on it and
requests N distinct pages in turn — every published article, then section, tag and author
pages (first and second page), searches from the corpus query set next to it when given
(`--queries`), round-robin until N — from `--clients` client threads, and samples every process of
the server's group every `--every` requests: RSS and anonymous memory (/proc/PID/status) of
each web worker, and of the job worker `masthead serve` starts beside them, reported apart.

`--trace` serves the same sequence in this process through Django's test client (the same
middleware, views and templates, the worker's start-up pre-loading and gc.freeze) with
tracemalloc on, and prints what grew between the snapshot after the first `--every` requests
and the last one, by allocating line: the names of what a worker keeps.

Results: bench/results/worker_memory.json (`--out`), with the date and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE / "lib")]

import procs  # noqa: E402
from result_files import merge_into  # noqa: E402

LIMIT_MB = 150  # docs/performance.md: what a web worker may hold


def site_env(data: Path) -> dict:
    env = dict(os.environ)
    env.update(MASTHEAD_DATA_DIR=str(data), MASTHEAD_PAGE_CACHE="0",
               MASTHEAD_SECRET_KEY=env.get("MASTHEAD_SECRET_KEY",
                                           "scale-bench-secret-key-scale-bench-secret-key"),
               DJANGO_SETTINGS_MODULE="masthead.settings", PYTHONUNBUFFERED="1",
               PYTHONPATH=str(REPO))
    return env


def reader_paths(queries: Path | None) -> list[str]:
    """Every published article, then listings (two pages each) and searches."""
    import django

    django.setup()
    from urllib.parse import urlencode

    from masthead.articles.models import Article, Author, Section, Tag

    articles = [a.get_absolute_url() for a in Article.objects.published()
                .only("pk", "slug", "kind", "pub_date").order_by("pk").iterator()]
    listings = []
    for model, prefix in ((Section, "section"), (Tag, "tag"), (Author, "author")):
        for slug in model.objects.order_by("pk").values_list("slug", flat=True):
            listings += [f"/{prefix}/{slug}/", f"/{prefix}/{slug}/?page=2"]
    searches = []
    if queries and queries.exists():
        for group in json.loads(queries.read_text()).values():
            for text, filters in group:
                searches.append("/search/?" + urlencode({"q": text, **filters}))
    # Interleave, so listings and searches run through the whole run, not only at its end.
    mixed, extra = [], listings + searches
    step = max(1, len(articles) // max(1, len(extra)))
    for n, path in enumerate(articles):
        mixed.append(path)
        if n % step == 0 and extra:
            mixed.append(extra.pop())
    return mixed + extra


def sample(server, done: int) -> dict:
    found = procs.group_memory_mb(server)
    found.pop(server.pid, None)  # granian's main process serves nothing
    web = sorted((m for m in found.values() if m["role"] == "web"), key=lambda m: m["rss"])
    jobs = [m for m in found.values() if m["role"] == "jobs"]
    cpu = 0
    for pid, m in found.items():
        if m["role"] == "web":
            try:  # utime + stime of the web workers: CPU per request, against a cache size
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu += int(fields[11]) + int(fields[12])
            except (OSError, ValueError, IndexError):
                pass
    return {"requests": done, "web_cpu_s": round(cpu / os.sysconf("SC_CLK_TCK"), 2),
            "job_pid": next((pid for pid, m in found.items() if m["role"] == "jobs"), None),
            "web_rss": [m["rss"] for m in web],
            "web_anon": [m["anon"] for m in web],
            "job_rss": jobs[0]["rss"] if jobs else None,
            "job_anon": jobs[0]["anon"] if jobs else None}


def run_server(args, paths: list[str]) -> dict:
    work = Path(args.data)
    group = procs.Group(Path(args.log_dir))
    env = site_env(work)
    env.update(dict(item.split("=", 1) for item in args.env))
    server = group.start("serve", [sys.executable, "-m", "masthead", "serve", "--port",
                                   str(args.port), "--workers", str(args.workers),
                                   "--threads", str(args.threads)],
                          env=env, cwd=str(REPO))
    base = f"http://127.0.0.1:{args.port}"
    samples, errors, lock = [], {}, threading.Lock()
    try:
        procs.wait_http(base + "/healthz", server)
        time.sleep(2)  # the job worker's imports
        samples.append(sample(server, 0))
        print(json.dumps(samples[-1]), flush=True)
        todo = iter(enumerate((paths * (args.requests // max(1, len(paths)) + 1))
                              [: args.requests], 1))

        def client():
            while True:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                n, path = item
                try:
                    urllib.request.urlopen(base + path, timeout=60).read()
                except urllib.error.HTTPError as exc:  # a listing's page 2 may be a 404
                    with lock:
                        errors[exc.code] = errors.get(exc.code, 0) + 1
                if n % args.every == 0:
                    with lock:
                        samples.append(sample(server, n))
                        print(json.dumps(samples[-1]), flush=True)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.monotonic() - started
        samples.append(sample(server, args.requests))
    finally:
        group.stop_all()
    last = samples[-1]
    return {"samples": samples, "errors": errors, "seconds": round(seconds, 1),
            "web_rss_max_mb": max(max(s["web_rss"], default=0) for s in samples),
            "web_anon_max_mb": max(max(s["web_anon"], default=0) for s in samples),
            "job_rss_last_mb": last["job_rss"],
            "web_cpu_ms_per_request": round((last["web_cpu_s"] - samples[0]["web_cpu_s"])
                                            * 1000 / max(1, args.requests), 2),
            "met": max(max(s["web_rss"], default=0) for s in samples) <= LIMIT_MB}


def run_traced(args, paths: list[str]) -> dict:
    """In this process, tracemalloc on: what the served pages leave behind, by line."""
    import gc
    import io
    import tracemalloc

    from masthead.core import worker
    from masthead.wsgi import application  # the server's own WSGI callable, page cache off

    worker.prepare()
    codes: dict[str, int] = {}

    def get(path: str) -> None:
        # What granian hands the application; the test client would add its own signal
        # receivers per request and show up as growth itself.
        route, _, query = path.partition("?")
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query,
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                   "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
                   "wsgi.url_scheme": "http", "wsgi.version": (1, 0)}

        def start_response(status, headers, exc_info=None):
            codes[status[:3]] = codes.get(status[:3], 0) + 1

        body = application(environ, start_response)
        try:
            for _ in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()

    tracemalloc.start(args.frames)
    sequence = (paths * (args.requests // max(1, len(paths)) + 1))[: args.requests]
    first = None
    for n, path in enumerate(sequence, 1):
        get(path)
        if n == args.every:
            gc.collect()
            first = tracemalloc.take_snapshot()
    gc.collect()
    last = tracemalloc.take_snapshot()
    keep = [tracemalloc.Filter(False, tracemalloc.__file__)]
    diff = last.filter_traces(keep).compare_to(first.filter_traces(keep), "traceback")
    grew = []
    for stat in diff[: args.top]:
        where = [f"{f.filename.replace(str(REPO) + '/', '')}:{f.lineno}" for f in stat.traceback]
        grew.append({"kib": round(stat.size_diff / 1024, 1), "blocks": stat.count_diff,
                     "where": where[-args.frames:]})
    traced = tracemalloc.get_traced_memory()
    return {"requests": len(sequence), "status": codes,
            "traced_now_mb": round(traced[0] / 2**20, 1),
            "traced_peak_mb": round(traced[1] / 2**20, 1),
            "growth_after_first_mb": round(sum(s.size_diff for s in diff) / 2**20, 2),
            "grew": grew}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="MASTHEAD_DATA_DIR of an imported site")
    parser.add_argument("--queries", help="a corpus's queries.json (searches)")
    parser.add_argument("--requests", type=int, default=12_000)
    parser.add_argument("--every", type=int, default=1000, help="requests between samples")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="serve --threads")
    parser.add_argument("--clients", type=int, default=8, help="requests at once")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the server (experiments)")
    parser.add_argument("--port", type=int, default=8630)
    parser.add_argument("--trace", action="store_true", help="in-process, with tracemalloc")
    parser.add_argument("--frames", type=int, default=6)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--log-dir", default="/tmp")
    parser.add_argument("--label", default="", help="a name for this run in the results")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "worker_memory.json"))
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / "masthead.sqlite3").exists() and "MASTHEAD_DATABASE_URL" not in os.environ:
        print(f"worker_memory: no site in {data}", file=sys.stderr)
        return 2
    os.environ.update(site_env(data))
    paths = reader_paths(Path(args.queries) if args.queries else None)
    load_before = os.getloadavg()[0]
    result = run_traced(args, paths) if args.trace else run_server(args, paths)
    result["meta"] = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                      "data": str(data), "distinct_paths": len(paths),
                      "requests": args.requests, "workers": args.workers,
                      "threads": args.threads, "clients": args.clients, "env": args.env,
                      "load_before": load_before, "load_after": os.getloadavg()[0],
                      "label": args.label, "mode": "trace" if args.trace else "serve"}
    failed = sum(n for code, n in result.get("errors", {}).items() if code >= 500)
    if failed > args.requests // 100:
        print(f"worker_memory: {failed} of {args.requests} requests failed (see "
              f"{args.log_dir}/serve.log); nothing written", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    merge_into(out, args.label or result["meta"]["mode"], result, indent=2)
    summary = {k: v for k, v in result.items() if k not in ("samples", "grew")}
    print(json.dumps(summary, indent=2))
    if args.trace:
        for g in result["grew"]:
            where = " <- ".join(reversed(g["where"]))
            print(f"{g['kib']:>9.1f} KiB {g['blocks']:>7} blocks  {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
