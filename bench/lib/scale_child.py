"""The scale benchmark's measurements that have no CLI of their own, run in a fresh process.

    python bench/lib/scale_child.py {analyze|sitemaps|render|search|dbsize} [QUERIES.json]

The environment (MASTHEAD_DATA_DIR, MASTHEAD_DATABASE_URL, MASTHEAD_PAGE_CACHE=0) is set by
`bench/scale.py`; the result is one JSON object on the last line of standard output. Pages are
rendered through Django's test client (the whole middleware stack and templates, without a
socket), with the page cache off: every render is a miss.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent), str(HERE)]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def analyze() -> dict:
    """Fresh planner statistics, as an operator runs after a bulk load; and featured stories.

    JSON Lines has no "featured" field, and a front page with no featured story searches the
    whole archive for one (139 ms at 10k articles): editors feature every 40th story here,
    as `bench/render_speed.py` does."""
    import sitegen
    from django.db import connection

    featured = sitegen.mark_featured()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "featured": featured}


def dbsize() -> dict:
    from django.db import connection

    from masthead.articles.models import Article
    from masthead.comments.models import Comment

    sys.path.insert(0, str(HERE.parent))
    from search_speed import database_size

    size = database_size()
    articles = Article.objects.count()
    return {"bytes": size, "mb": round(size / 2**20, 1), "articles": articles,
            "comments": Comment.objects.count(), "vendor": connection.vendor,
            "kb_per_1000_articles": round(size / 1024 / max(articles, 1) * 1000)}


def sitemaps() -> dict:
    """Fetch the sitemap index and every file it lists, as a crawler would."""
    import re

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    base = rss_mb()
    started = time.perf_counter()
    index = client.get("/sitemap.xml")
    assert index.status_code == 200, index.status_code
    files, urls, biggest, slowest = 0, 0, 0, 0.0
    for loc in re.findall(rb"<loc>([^<]+)</loc>", b"".join(index.streaming_content)
                          if index.streaming else index.content):
        path = "/" + loc.decode().split("/", 3)[3]
        one = time.perf_counter()
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        slowest = max(slowest, time.perf_counter() - one)
        files += 1
        urls += body.count(b"<url>")
        biggest = max(biggest, len(body))
    total = time.perf_counter() - started
    news_started = time.perf_counter()
    news = client.get("/news-sitemap.xml")
    news_ms = (time.perf_counter() - news_started) * 1000
    return {"seconds": round(total, 2), "files": files, "urls": urls,
            "largest_file_bytes": biggest, "slowest_file_s": round(slowest, 2),
            "news_sitemap_ms": round(news_ms, 1), "news_urls": news.content.count(b"<url>"),
            "rss_before_mb": round(base, 1), "peak_rss_mb": round(peak_mb(), 1),
            "growth_mb": round(peak_mb() - base, 1)}


def _time(client, paths: list[str], repeat: int) -> dict:
    for path in paths:  # warm each path once (template compilation, first query plans)
        status = client.get(path).status_code
        assert status == 200, (path, status)
    walls = []
    for _ in range(repeat):
        for path in paths:
            started = time.perf_counter()
            client.get(path)
            walls.append((time.perf_counter() - started) * 1000)
    walls.sort()
    return {"paths": len(paths), "renders": len(walls),
            "median_ms": round(statistics.median(walls), 2),
            "p90_ms": round(walls[int(len(walls) * 0.9) - 1], 2), "example": paths[0]}


def render_paths() -> dict[str, list[str]]:
    """The pages `render` times, chosen at random but the same on every run of one archive:
    40 articles, every section, 10 tags, 10 authors, and a deep page of the first section
    (bench/render_queries.py breaks the same pages down statement by statement)."""
    from django.conf import settings

    from masthead.articles.models import Article, Author, Section, Tag

    rng = random.Random(5)
    published = Article.objects.published().stories()
    top = published.order_by("-id").values_list("pk", flat=True)[:1][0]
    ids = [rng.randrange(1, top + 1) for _ in range(200)]
    articles = list(published.filter(pk__in=ids)[:40])
    sections = list(Section.objects.order_by("pk"))
    tags = list(Tag.objects.order_by("pk")[:200])
    tags = [tags[0], tags[1], *rng.sample(tags[2:], min(8, len(tags) - 2))]
    authors = rng.sample(list(Author.objects.order_by("pk")[:500]), 10)
    section = sections[0]
    in_section = published.filter(section=section).count()
    last = max(1, -(-in_section // settings.MASTHEAD_PAGE_SIZE))
    deep = min(5000, last)
    return {"article": [a.get_absolute_url() for a in articles], "front": ["/"],
            "section": [s.get_absolute_url() for s in sections],
            "tag": [t.get_absolute_url() for t in tags],
            "author": [a.get_absolute_url() for a in authors],
            "deep page": [f"{section.get_absolute_url()}?page={deep}"]}


def render() -> dict:
    from django.core.management import call_command
    from django.test import Client

    # The pages link hashed static files: the manifest is what a deployment builds first.
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    paths = render_paths()
    load_before = os.getloadavg()[0]
    repeats = {"article": 3, "front": 30, "section": 4, "tag": 3, "author": 3, "deep page": 20}
    pages = {name: _time(client, paths[name], repeats[name]) for name in repeats}
    pages["deep page"]["page"] = int(paths["deep page"][0].rsplit("=", 1)[1])
    return {"pages": pages, "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def search(queries_file: str) -> dict:
    from search_speed import time_queries

    sets = {name: [tuple(q) for q in items]
            for name, items in json.loads(Path(queries_file).read_text()).items()}
    warm = random.Random(3).sample([q for items in sets.values() for q in items], 60)
    time_queries(warm)
    load_before = os.getloadavg()[0]
    categories = {name: time_queries(items) for name, items in sets.items()}
    return {"categories": categories, "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def main() -> None:
    import django

    django.setup()
    step = sys.argv[1]
    functions = {"analyze": analyze, "dbsize": dbsize, "sitemaps": sitemaps, "render": render}
    result = search(sys.argv[2]) if step == "search" else functions[step]()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
