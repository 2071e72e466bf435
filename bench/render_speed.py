"""Uncached render times on a large site (issue 7, point 4): what a page-cache miss costs.

    python bench/render_speed.py [--articles 100000] [--repeat 30] [--rounds 5]

Builds (once, kept in --site-cache) a site of synthetic articles through the importer's bulk
path (`store_records`), the newest with 50 approved comments; then renders the article page
(comments, related list), the front page and a section listing with Django's test client,
`--repeat` times each after a warm-up, and reports median and p90 wall time, median CPU time
and the query count per page into bench/results/render.json and docs/performance.md.
Targets: article page < 15 ms median, front page < 20 ms median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench" / "lib")]
START, END = "<!-- render-speed:start -->", "<!-- render-speed:end -->"


def setup(data_dir: Path) -> None:
    os.environ["MASTHEAD_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("MASTHEAD_SECRET_KEY", "bench-secret-key-bench-secret-key-bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()


def build(n: int) -> None:
    import sitegen
    from django.core.management import call_command

    from masthead.articles.models import Article
    from masthead.importers.services import store_records

    call_command("migrate", verbosity=0)
    if Article.objects.exists():
        sitegen.mark_featured()
        return
    started, batch = time.monotonic(), []
    for i, record in enumerate(sitegen.records(n, seed=11), start=1):
        batch.append(record)
        if len(batch) == 5000:
            store_records(batch)
            batch = []
            print(f"  {i:,} articles, {time.monotonic() - started:.0f} s", flush=True)
    if batch:
        store_records(batch)
    sitegen.mark_featured()
    call_command("collectstatic", interactive=False, verbosity=0)


def measure(client, path: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(path).status_code == 200, path
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(path)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(path).content
    walls.sort()
    return {"path": path, "median_ms": round(statistics.median(walls), 2),
            "p90_ms": round(walls[int(len(walls) * 0.9) - 1], 2),
            "cpu_median_ms": round(statistics.median(cpus), 2), "queries": len(queries),
            "bytes": len(body)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30, help="renders per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page, taken in turn")
    parser.add_argument("--site-cache", help="data dir of the built site (kept between runs)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "render.json"))
    parser.add_argument("--doc", default=str(REPO / "docs" / "performance.md"))
    args = parser.parse_args(argv)
    data_dir = Path(args.site_cache or f"/tmp/masthead-render-site-{args.articles}")
    data_dir.mkdir(parents=True, exist_ok=True)
    setup(data_dir)
    build(args.articles)

    from django.test import Client

    from masthead.articles.models import Article, Section

    hot = Article.objects.get(external_key="bench-0")
    section = Section.objects.order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    load = os.getloadavg()[0]
    paths = {
        "article page (50 comments, related list)": hot.get_absolute_url(),
        "front page": "/",
        "section listing, page 1": section.get_absolute_url(),
    }
    # This machine's speed drifts by a third from one minute to the next whatever the load
    # average says: each page is measured in several rounds, taken in turn, and the median
    # round is reported with the range.
    rounds = {name: [] for name in paths}
    for _ in range(args.rounds):
        for name, path in paths.items():
            rounds[name].append(measure(client, path, args.repeat))
    pages = {}
    for name, results in rounds.items():
        results.sort(key=lambda r: r["median_ms"])
        pages[name] = {**results[len(results) // 2],
                       "round_medians_ms": [r["median_ms"] for r in results]}
    results = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "articles": Article.objects.count(), "repeat": args.repeat, "rounds": args.rounds,
        "database": os.environ.get("MASTHEAD_DATABASE_URL", "sqlite").split(":")[0],
        "load_before": load, "load_after": os.getloadavg()[0], "pages": pages,
        "targets": {
            "article page < 15 ms median": pages["article page (50 comments, related list)"][
                "median_ms"] < 15,
            "front page < 20 ms median": pages["front page"]["median_ms"] < 20,
        },
    }
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    write_doc(Path(args.doc), results)
    return 0


def write_doc(doc: Path, results: dict) -> None:
    if not doc.exists():
        return
    lines = [
        f"Run {results['date']} · {results['articles']:,} articles on {results['database']} · "
        f"{results['rounds']} rounds of {results['repeat']} renders each (the median round; "
        "range of round medians in the last column) · load average "
        f"{results['load_before']:.2f} before, "
        f"{results['load_after']:.2f} after.",
        "",
        "| page | median ms | p90 ms | CPU median ms | queries | bytes | round medians ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, p in results["pages"].items():
        spread = p.get("round_medians_ms") or [p["median_ms"]]
        lines.append(f"| {name} | {p['median_ms']:.1f} | {p['p90_ms']:.1f} | "
                     f"{p['cpu_median_ms']:.1f} | {p['queries']} | {p['bytes']:,} | "
                     f"{min(spread):.1f}–{max(spread):.1f} |")
    lines += ["", " · ".join(f"{k}: {'met' if v else '**not met**'}"
                             for k, v in results["targets"].items())]
    block = f"{START}\n" + "\n".join(lines) + f"\n{END}"
    text = doc.read_text()
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text,
                      flags=re.S)
    else:
        text += "\n" + block + "\n"
    doc.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
