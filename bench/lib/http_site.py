"""Site operations the HTTP benchmark runs in a Django process of their own.

    python bench/lib/http_site.py build N        migrate, import N synthetic articles
    python bench/lib/http_site.py prepare        migrate a reused site, rebuild search index
    python bench/lib/http_site.py paths K        print JSON: hot article, K article paths, ...
    python bench/lib/http_site.py edit PK TEXT   change a headline through the real service

The environment (MASTHEAD_DATA_DIR, MASTHEAD_DATABASE_URL) says which site.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from masthead.articles import services  # noqa: E402
from masthead.articles.models import Article, Section  # noqa: E402


def build(n: int) -> None:
    import sitegen

    from masthead.importers.services import store_records

    call_command("migrate", verbosity=0)
    if Article.objects.exists():
        print(f"site already has {Article.objects.count()} articles", file=sys.stderr)
        return
    started = time.monotonic()
    batch, done = [], 0
    for record in sitegen.records(n):
        batch.append(record)
        if len(batch) == 2000:
            store_records(batch)
            done += len(batch)
            batch = []
            print(f"  {done} articles", file=sys.stderr)
    if batch:
        store_records(batch)
    sitegen.mark_featured()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"built {n} articles in {time.monotonic() - started:.0f} s", file=sys.stderr)


def prepare() -> None:
    """Bring a reused site up to date: migrations added since it was built, search index, and
    every queued job done.

    The import queues its follow-ups (the related lists of the whole archive: 105 CPU-seconds
    for the 10k-article site before session 7's rebuild work, ~21 after); left queued, the
    job worker that `masthead serve` starts runs them during the measurements and takes one
    of the two CPUs from the web workers (the session-6 run measured that: 653 req/s). A
    site in service has done them long ago."""
    from django.core.management import get_commands

    call_command("migrate", verbosity=0)
    if "search" in get_commands():
        call_command("search", "reindex")
    if "worker" in get_commands():
        call_command("worker", "--burst")


def paths(k: int) -> None:
    visible = Article.objects.published().stories().order_by("-published_at", "-id")
    hot = visible.first()
    chosen = list(visible.values_list("pk", flat=True)[: k * 3 : 3])
    articles = [a.get_absolute_url() for a in Article.objects.filter(pk__in=chosen)]
    sections = [s.get_absolute_url() for s in Section.objects.all()]
    print(json.dumps({
        "hot": hot.get_absolute_url(), "hot_id": hot.pk, "articles": articles,
        "article_ids": chosen, "listings": sections + [f"{s}?page=2" for s in sections],
    }))


def edit(pk: int, text: str) -> None:
    article = Article.objects.get(pk=pk)
    article.headline = text
    services.save_article(article)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "build":
        build(int(args[0]))
    elif command == "prepare":
        prepare()
    elif command == "paths":
        paths(int(args[0]))
    elif command == "edit":
        edit(int(args[0]), args[1])
    else:
        raise SystemExit(f"unknown command {command!r}")
