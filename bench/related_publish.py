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

Writes bench/results/related_publish-<size>.json. It adds `--count` articles to the site.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="the site's MASTHEAD_DATA_DIR")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--out", default="")
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
    n = Article.objects.published().count()
    out = {"articles": n, "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
           "database": "postgres" if os.environ.get("MASTHEAD_DATABASE_URL") else "sqlite",
           "load_average_start": [round(x, 2) for x in load],
           "load_average_end": [round(x, 2) for x in os.getloadavg()],
           "prepare": prepared,
           "update_ms": upsert_summary(timings),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    size = f"{n // 1_000_000}m" if n >= 1_000_000 else f"{n // 1000}k"
    name = args.out or f"related_publish-{size}"
    (ROOT / "bench" / "results" / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
