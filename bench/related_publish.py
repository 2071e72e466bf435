"""Publishing on a big site: what the related-lists update costs through the service (issue 20).

`bench/related_scale.py --from-snapshot` times the engine's upsert alone. This times what a
worker does for each published article, on a real site whose lists were built by `masthead
related rebuild`: `recommendations.services.record_changes` (log the event under the lock,
read the article, upsert it into the engine, write every list that changed, mark the event
applied). The engine is loaded and warmed first (`state.prepare`, as a worker does once).

Each new article is made of two published stories of the site (the first one's headline,
section, tags and first half, the second's second half), saved and published through
`articles.services` like an editor's, then its update is timed (wall and CPU, this process).

    python bench/related_publish.py --data /work/scale/sqlite-1m --count 20

With `--worker`, the articles are published as an editor's are (the update is a job) and a
real `masthead worker` runs the jobs, with the site's settings (MASTHEAD_JOBS_RECYCLE_MB and
MASTHEAD_RELATED_KEEP_ARTICLES from the environment); what is timed is commit → the new
article's related list stored, one publication at a time, and the worker's restarts counted:

    MASTHEAD_RELATED_KEEP_ARTICLES=0 python bench/related_publish.py --data … --worker

Writes bench/results/related_publish-<size>[-worker].json. It adds `--count` articles to the
site.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(data: Path) -> None:
    os.environ.update(MASTHEAD_DATA_DIR=str(data), MASTHEAD_PAGE_CACHE="0",
                      DJANGO_SETTINGS_MODULE="masthead.settings")
    os.environ.setdefault("MASTHEAD_SECRET_KEY", "scale-bench-secret-key-scale-bench-secret-key")
    import django

    django.setup()


def new_article(rng: random.Random, top: int):
    """An unsaved article mixing two published stories (ids drawn below ``top``)."""
    from masthead.articles.models import Article

    first, second = (Article.objects.published().filter(pk__lte=rng.randrange(1, top))
                     .order_by("-pk").select_related("section").first() for _ in range(2))
    a, b = first.body.split("\n\n"), second.body.split("\n\n")
    body = "\n\n".join(a[: max(1, len(a) // 2)] + b[len(b) // 2 :])
    article = Article(headline=f"{first.headline} (follow-up)", standfirst=first.standfirst,
                      body=body, section=first.section)
    return article, [t.name for t in first.tags.all()]


def through_a_worker(args, rng, top) -> dict:
    """Publish `args.count` articles one by one with a `masthead worker` running the jobs."""
    from masthead.articles import services as articles
    from masthead.recommendations.models import RelatedArticle

    log = tempfile.NamedTemporaryFile("w+", suffix=".log")
    worker = subprocess.Popen([str(Path(sys.executable).with_name("masthead")), "worker",
                               "--concurrency", "1", "--interval", "0.05"],
                              stdout=log, stderr=subprocess.STDOUT, env=os.environ)
    timings, rss = [], []
    try:
        for _ in range(args.count):
            article, tags = new_article(rng, top)
            articles.save_article(article, tags=tags)
            articles.publish_article(article)  # committed: its related job is queued
            t = time.perf_counter()
            while not RelatedArticle.objects.filter(article=article).exists():
                if worker.poll() is not None or time.perf_counter() - t > 600:
                    raise SystemExit(f"the worker stopped or stalled; see {log.name}")
                time.sleep(0.01)
            timings.append(time.perf_counter() - t)
            with open(f"/proc/{worker.pid}/status") as fh:  # no VmRSS while it execs afresh
                found = [int(x.split()[1]) // 1024 for x in fh if x.startswith("VmRSS")]
                rss.append(found[0] if found else None)
            print(json.dumps({"article": article.pk, "commit_to_list_ms":
                              round(1000 * timings[-1], 1), "worker_rss_mb": rss[-1]}),
                  flush=True)
    finally:
        worker.terminate()
        worker.wait(60)
    log.seek(0)
    restarts = log.read().count("starting afresh")
    later = sorted(timings[1:]) or [0.0]
    return {"settings": {k: os.environ.get(k, "default") for k in
                         ("MASTHEAD_JOBS_RECYCLE_MB", "MASTHEAD_RELATED_KEEP_ARTICLES")},
            "first_ms": round(1000 * timings[0], 1),
            "later_ms": {"count": len(timings) - 1,
                         "median": round(1000 * later[len(later) // 2], 1),
                         "max": round(1000 * later[-1], 1)},
            "worker_restarts": restarts, "worker_rss_mb": rss}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="the site's MASTHEAD_DATA_DIR")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--out", default="")
    ap.add_argument("--worker", action="store_true",
                    help="publish as an editor does and time a real worker's update")
    args = ap.parse_args()
    setup(args.data)
    from related_scale import upsert_summary  # the same figures as the engine-alone bench

    from masthead.articles import services as articles
    from masthead.articles.models import Article
    from masthead.recommendations import services, state
    from masthead.recommendations.models import EngineState, RelatedEvent

    if not EngineState.objects.filter(pk=1, generation__gt=0).exists():
        print("the site has no related lists: run `masthead related rebuild` first",
              file=sys.stderr)
        return 2
    load = os.getloadavg()
    if args.worker:
        rng = random.Random(21)
        top = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
        out = {**through_a_worker(args, rng, top),
               "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
               "load_average_start": [round(x, 2) for x in load],
               "load_average_end": [round(x, 2) for x in os.getloadavg()]}
        return _write(out, args.out, "-worker")
    t, c = time.perf_counter(), time.process_time()
    state.prepare()
    prepared = {"wall_s": round(time.perf_counter() - t, 1),
                "cpu_s": round(time.process_time() - c, 1)}
    print(json.dumps({"prepare": prepared}), flush=True)
    rng = random.Random(20)
    top = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    timings = []
    for _ in range(args.count):
        article, tags = new_article(rng, top)
        with articles.signals_suspended():  # the update is timed below, not run by a job
            articles.save_article(article, tags=tags)
            articles.publish_article(article)
        t, c = time.perf_counter(), time.process_time()
        services.record_changes([article.pk], RelatedEvent.Op.UPSERT)
        timings.append((time.perf_counter() - t, time.process_time() - c))
        print(json.dumps({"article": article.pk, "wall_ms": round(1000 * timings[-1][0], 1),
                          "cpu_ms": round(1000 * timings[-1][1], 1)}), flush=True)
    out = {"date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
           "load_average_start": [round(x, 2) for x in load],
           "load_average_end": [round(x, 2) for x in os.getloadavg()],
           "prepare": prepared,
           "update_ms": upsert_summary(timings),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    return _write(out, args.out, "")


def _write(out: dict, name: str, suffix: str) -> int:
    from masthead.articles.models import Article

    n = Article.objects.published().count()
    out = {"articles": n,
           "database": "postgres" if os.environ.get("MASTHEAD_DATABASE_URL") else "sqlite", **out}
    size = f"{n // 1_000_000}m" if n >= 1_000_000 else f"{n // 1000}k"
    name = name or f"related_publish-{size}{suffix}"
    (ROOT / "bench" / "results" / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
