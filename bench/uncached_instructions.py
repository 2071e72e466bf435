"""Instructions per uncached page, old code against new, counted by callgrind (load-proof).

The machine these benchmarks run on is shared and noisy; instruction counts are not: the same
binary, inputs and environment give the same total whatever else runs. For each of two
checkouts (`--old`, `--new`), in a fresh data dir:

1. a synthetic site of N articles (bench/lib/sitegen.py through the checkout's own importer),
   with its follow-up jobs run (`masthead worker --burst`) where the checkout has a queue;
2. under `valgrind --tool=callgrind`, a Django process that serves K warm-up requests and then
   M measured ones through the WSGI application with the page cache off, and the same process
   with no measured requests; the difference divided by M is the cost of one uncached page
   (the article pages of M distinct stories, then the front page M times).

    python bench/uncached_instructions.py --old ../old-checkout --new . [--articles 3000]

Writes bench/results/uncached_instructions.json. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SERVE = r'''
import io, os, sys
sys.path[:0] = [os.environ["CHECKOUT"]]
os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
import django; django.setup()
from django.core.wsgi import get_wsgi_application
from masthead.articles.models import Article
app = get_wsgi_application()
kind, measured = sys.argv[1], int(sys.argv[2])
stories = list(Article.objects.published().order_by("-published_at", "-id")[:400])
paths = [a.get_absolute_url() for a in stories]
def get(path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
               "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}
    status = []
    body = b"".join(app(environ, lambda s, h, *a: status.append(s)))
    assert status[0].startswith("200"), (path, status)
    return body
for p in paths[200:230] + ["/"] * 10:   # warm-up: templates, connections, caches
    get(p)
for i in range(measured):
    get(paths[i] if kind == "articles" else "/")
'''


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, **kw)


def instructions(checkout: Path, env: dict, kind: str, measured: int) -> int:
    with tempfile.NamedTemporaryFile(suffix=".out") as out:
        run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}",
             sys.executable, "-c", SERVE, kind, str(measured)], env)
        text = Path(out.name).read_text(errors="replace")
    return int(re.search(r"^summary:\s+(\d+)", text, re.M).group(1))


def measure(label: str, checkout: Path, articles: int, measured: int) -> dict:
    data = tempfile.mkdtemp(prefix=f"masthead-ir-{label}-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")}
    env.update(MASTHEAD_DATA_DIR=data, MASTHEAD_PAGE_CACHE="0", CHECKOUT=str(checkout),
               MASTHEAD_JOBS_EAGER="none", PYTHONHASHSEED="0",
               MASTHEAD_SECRET_KEY="instructions-bench-" + "k" * 40)
    started = time.monotonic()
    run([sys.executable, str(checkout / "bench" / "lib" / "http_site.py"), "build",
         str(articles)], {**env, "PYTHONPATH": str(checkout)}, timeout=3600)
    # The follow-ups of the import (related lists, search) run in a worker since the job queue;
    # a checkout from before it did them in the import itself, and has no worker command.
    subprocess.run([sys.executable, "-m", "masthead", "worker", "--burst"], cwd=checkout,
                   env={**env, "PYTHONPATH": str(checkout)}, capture_output=True, timeout=3600)
    built = time.monotonic() - started
    result = {"checkout": str(checkout), "build_seconds": round(built)}
    for kind in ("articles", "front"):
        base = instructions(checkout, env, kind, 0)
        full = instructions(checkout, env, kind, measured)
        result[f"{kind}_per_page"] = round((full - base) / measured)
        print(f"{label:<4} {kind:<9} {result[f'{kind}_per_page'] / 1e6:6.2f} M instructions "
              "per uncached page", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, type=Path)
    parser.add_argument("--new", default=REPO, type=Path)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "articles": args.articles, "requests": args.requests,
               "old": measure("old", args.old.resolve(), args.articles, args.requests),
               "new": measure("new", args.new.resolve(), args.articles, args.requests)}
    for kind in ("articles", "front"):
        old, new = results["old"][f"{kind}_per_page"], results["new"][f"{kind}_per_page"]
        results[f"{kind}_change"] = round(new / old - 1, 4)
        print(f"{kind}: {old / 1e6:.2f} M -> {new / 1e6:.2f} M ({new / old - 1:+.1%})")
    (REPO / "bench" / "results" / "uncached_instructions.json").write_text(
        json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
