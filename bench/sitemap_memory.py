"""Memory and time of one sitemap file, streamed against built whole (issue 20, item 5).

    python bench/sitemap_memory.py --data DIR [--file articles-1] [--rounds 3]

DIR is a MASTHEAD_DATA_DIR holding an imported site (MASTHEAD_SECRET_KEY: the one it was
built with). In one process, after a warm-up request, each round fetches the file through the
server's WSGI callable (page cache off) and reads the streamed body chunk by chunk, as a
server does; then builds the same file the way the view did before it streamed (Django's
`Sitemap.get_urls`, a dict per URL, and the template rendered to one string). For each:
wall and CPU seconds, and the peak of Python's traced memory above what was held before
(tracemalloc; SQLite's own page cache is not in it and is bounded by its cache size).
Results go under "sitemap" in bench/results/worker_memory.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO)]


def measure(build) -> dict:
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    size = build()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "bytes": size,
            "traced_peak_mb": round((peak - base) / 2**20, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--file", default="articles-1", help="NAME-PAGE of /sitemap-NAME-PAGE.xml")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "worker_memory.json"))
    args = parser.parse_args(argv)
    os.environ.update(MASTHEAD_DATA_DIR=args.data, MASTHEAD_PAGE_CACHE="0",
                      DJANGO_SETTINGS_MODULE="masthead.settings")
    os.environ.setdefault("MASTHEAD_SECRET_KEY", "scale-bench-secret-key-scale-bench-secret-key")
    import django

    django.setup()
    from django.template.loader import render_to_string

    from masthead.feeds.sitemaps import SITEMAPS, site_domain
    from masthead.wsgi import application

    name, page = args.file.rsplit("-", 1)

    def streamed() -> int:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"/sitemap-{args.file}.xml",
                   "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                   "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
                   "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
                   "wsgi.url_scheme": "http", "wsgi.version": (1, 0)}
        status = []
        body = application(environ, lambda s, h, e=None: status.append(s))
        size = sum(len(chunk) for chunk in body)
        body.close()
        assert status[0].startswith("200"), status
        return size

    def whole() -> int:  # what the view did before it streamed
        site, protocol = site_domain()
        urls = SITEMAPS[name]().get_urls(page=int(page), site=site, protocol=protocol)
        return len(render_to_string("feeds/sitemap.xml", {"urls": urls}).encode())

    streamed()  # warm-up: URL conf, templates, first statements
    load_before = os.getloadavg()[0]
    rounds = [{"streamed": measure(streamed), "whole": measure(whole)}
              for _ in range(args.rounds)]
    assert rounds[0]["streamed"]["bytes"] == rounds[0]["whole"]["bytes"]
    result = {"file": f"/sitemap-{args.file}.xml", "rounds": rounds,
              "urls": None, "data": args.data,
              "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "load_before": load_before, "load_after": os.getloadavg()[0]}
    site, protocol = site_domain()
    result["urls"] = len(SITEMAPS[name]().get_urls(page=int(page), site=site,
                                                   protocol=protocol))
    for kind in ("streamed", "whole"):
        result[kind] = {key: sorted(r[kind][key] for r in rounds)[len(rounds) // 2]
                        for key in ("seconds", "cpu_seconds", "traced_peak_mb", "bytes")}
    out = Path(args.out)
    runs = json.loads(out.read_text()) if out.exists() else {}
    runs.setdefault("sitemap", {})[Path(args.data).name] = result
    out.write_text(json.dumps(runs, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
