"""The front page's stories with and without curation (issue 16), in-process, on a built site.

    python bench/front_page_speed.py --site-cache /tmp/masthead-render-site-100000 [--repeat 40]

Uses a site built by `bench/render_speed.py` (same --site-cache); times
`front_page_stories()` (the sections, the candidate UNION, the stories shown and their
bylines: four queries) uncurated, then with a lead, four top stories and a pin per section
chosen among older stories, and prints and writes median wall and CPU time, the query count
and the number of stories shown into bench/results/front_page.json. The curation is removed
again afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]


def setup(data_dir: Path) -> None:
    os.environ["MASTHEAD_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("MASTHEAD_SECRET_KEY", "bench-secret-key-bench-secret-key-bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()


def measure(fn, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        fn()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        page = fn()
    return {"median_ms": round(statistics.median(walls), 2),
            "cpu_median_ms": round(statistics.median(cpus), 2),
            "queries": len(queries), "stories_shown": len(page.shown)}


def curate() -> None:
    from masthead.articles.models import Article, FrontPageSlot, Section

    Slot = FrontPageSlot.Block
    stories = Article.objects.published().stories().order_by("-published_at", "-id")
    older = list(stories.values_list("pk", flat=True)[:300:7])
    FrontPageSlot.objects.create(block=Slot.LEAD, article_id=older[0])
    for n in range(4):
        FrontPageSlot.objects.create(block=Slot.TOP, position=n, article_id=older[n + 1])
    for section in Section.objects.navigation():
        pin = stories.filter(section=section).exclude(pk__in=older)[5:6].first()
        if pin:
            FrontPageSlot.objects.create(block=Slot.SECTION, section=section, article=pin)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-cache", required=True)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "front_page.json"))
    args = parser.parse_args(argv)
    setup(Path(args.site_cache))
    from masthead.articles.front_page import front_page_stories
    from masthead.articles.models import Article, FrontPageSlot

    if FrontPageSlot.objects.exists():
        print("the site already has a curated front page; use a bench copy", file=sys.stderr)
        return 2
    results = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "articles": Article.objects.count(), "load_before": os.getloadavg()[0],
               "uncurated": measure(front_page_stories, args.repeat)}
    curate()
    try:
        results["curated"] = measure(front_page_stories, args.repeat)
    finally:
        FrontPageSlot.objects.all().delete()
    results["load_after"] = os.getloadavg()[0]
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
