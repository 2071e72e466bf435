"""Benchmark: search latency on synthetic archives, SQLite FTS5 and PostgreSQL (issue 4, point 5).

Run: `.venv/bin/python bench/search_speed.py [--articles 100000] [--backends sqlite,postgres]`.
Writes `bench/results/search_speed.json` (a backend run replaces that backend's entry only) and
prints a table. Target: p95 < 50 ms for one-word, multi-word and phrase queries on both
backends with 100k articles. Never part of `make test`.

Re-running without rebuilding: `--data-dir DIR` keeps the SQLite database and the query sets
in DIR (PostgreSQL's database is kept anyway); then `--phase index` migrates and rebuilds the
index over the stored articles, and `--phase queries` only times the queries again (what to do
when the machine was busy: the load average before and after each query phase is recorded).

For each backend a child process gets a fresh database (SQLite in a temporary data dir;
PostgreSQL database `masthead_bench_search`, or `$MASTHEAD_BENCH_PG_URL`), migrates it,
bulk-inserts the same synthetic articles, builds the index with `services.rebuild_index()`
(what `masthead search reindex` runs, timed) and then times `services.search()`, the call
behind the search page and the API: parsing, ranking, counting, snippets and loading the
page's articles. Each category is timed over its own queries after a warm-up pass.

The corpus (seeded, identical for both backends):
- vocabulary: English function words first (ordered by their frequency in the demo
  articles), then the demo articles' other words and invented words, shuffled into the ranks,
  so that a word such as "budget" is as rare as in a real archive rather than as common as in
  forty stories about budgets; 44k words in all;
- word frequencies follow Zipf's law (exponent 1.05) over those ranks;
- topics: each article belongs to one of 300 topics of 40 words, which supply 12% of its
  words (news coverage is bursty: a word is common in its story and rare elsewhere);
- lengths: log-normal, median about 450 words, 120 to 2,500; sentences of 8 to 24 words,
  paragraphs of 3 to 6 sentences; headlines of 8 words, 3 from the topic.

The queries (200 per category, seeded):
- one-word: half topic words, half drawn uniformly from the 5,000 commonest content words
  (document frequencies from about 25% down to 0.5%);
- multi-word: two or three content words of one random article (a reader recalling a story);
- phrase: two or three consecutive words of one random article, quoted, neither end a
  function word;
- filtered: a one-word query within one section;
- frequent-word (reported, not part of the target): the 20 commonest content words, each in
  about a quarter of the articles: the worst case of a single-word search.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "search_speed.json"
DEMO = ROOT / "masthead" / "demo" / "articles"
PG_URL = os.environ.get("MASTHEAD_BENCH_PG_URL",
                        "postgres://postgres@127.0.0.1:5432/masthead_bench_search")
TARGET_MS = 50.0
QUERIES_PER_CATEGORY = 200
SEED = 20240917
SECTIONS = ["World", "Politics", "Business", "Science", "Technology", "Health", "Culture",
            "Sport"]


# ---------------------------------------------------------------- corpus ---------------------

def vocabulary(tail: int = 40_000) -> tuple[list[str], int]:
    """Words by rank, and how many leading ranks are function words."""
    from masthead.search.query import STOPWORDS

    text = " ".join(p.read_text("utf-8").split("+++", 2)[-1] for p in sorted(DEMO.glob("*.md")))
    counts = collections.Counter(re.findall(r"[a-z]+", text.lower()))
    ranked = [w for w, _ in counts.most_common()]
    rng = random.Random(SEED)
    onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
              "br", "cr", "st", "tr", "pl", "gr", "sh", "ch"]
    nuclei = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
    codas = ["", "n", "r", "s", "t", "l", "m", "nd", "st", "rk", "ng"]
    seen, invented = set(ranked), []
    while len(invented) < tail:
        word = "".join(rng.choice(onsets) + rng.choice(nuclei) + rng.choice(codas)
                       for _ in range(rng.choice((2, 2, 3))))
        if word not in seen:
            seen.add(word)
            invented.append(word)
    top = [w for w in ranked if w in STOPWORDS]
    rest = [w for w in ranked if w not in STOPWORDS] + invented
    rng.shuffle(rest)
    return top + rest, len(top)


class Corpus:
    def __init__(self, n: int):
        self.words, self.n_function = vocabulary()
        self.n = n
        v = len(self.words)
        p = 1.0 / np.arange(1, v + 1) ** 1.05
        self.cdf = np.cumsum(p / p.sum())
        self.cdf[-1] = 1.0
        self.rng = np.random.default_rng(SEED)
        self.topics = [self.rng.choice(np.arange(self.n_function, 20_000), 40, replace=False)
                       for _ in range(300)]

    def articles(self):
        """(headline, paragraphs as lists of word lists, topic) for each article, seeded."""
        rng, words = self.rng, self.words
        for _ in range(self.n):
            topic = self.topics[rng.integers(len(self.topics))]
            length = int(np.clip(rng.lognormal(6.1, 0.45), 120, 2500))
            idx = np.searchsorted(self.cdf, rng.random(length))
            from_topic = rng.random(length) < 0.12
            idx[from_topic] = rng.choice(topic, int(from_topic.sum()))
            tokens = [words[i] for i in idx.tolist()]
            head = np.concatenate([rng.choice(topic, 3), np.searchsorted(self.cdf,
                                                                        rng.random(5))])
            headline = " ".join(words[i] for i in head.tolist()).capitalize()
            paragraphs, pos = [], 0
            while pos < length:
                paragraph = []
                for _ in range(int(rng.integers(3, 7))):
                    size = int(rng.integers(8, 25))
                    if pos >= length:
                        break
                    paragraph.append(tokens[pos:pos + size])
                    pos += size
                paragraphs.append(paragraph)
            yield headline, paragraphs, topic


def body_of(paragraphs) -> str:
    """The article body as HTML paragraphs of capitalised, full-stopped sentences."""
    texts = [" ".join(" ".join(s).capitalize() + "." for s in p) for p in paragraphs]
    return "".join(f"<p>{t}</p>" for t in texts)


# ---------------------------------------------------------------- child: one backend --------

def load(corpus: Corpus, samples: dict) -> float:
    from django.utils import timezone

    from masthead.articles.models import Article, Author, Section

    started = time.perf_counter()
    sections = [Section.objects.create(name=n, slug=n.lower()) for n in SECTIONS]
    authors = Author.objects.bulk_create(
        [Author(name=f"Reporter {i}", slug=f"reporter-{i}") for i in range(60)])
    now = timezone.now()
    rng = random.Random(SEED)
    batch, sample_rng = [], random.Random(SEED + 1)
    for n, (headline, paragraphs, topic) in enumerate(corpus.articles()):
        html = body_of(paragraphs)
        when = now - dt.timedelta(minutes=n * 7 + 5)
        # Only the rendered body is indexed; the Markdown source is left empty to halve the
        # insert time (it is never read by search).
        batch.append(Article(
            headline=headline, slug=f"story-{n}", body="", body_html=html,
            word_count=sum(len(s) for p in paragraphs for s in p), status="published",
            published_at=when, pub_date=timezone.localdate(when), updated_at=when,
            section=sections[rng.randrange(len(sections))],
        ))
        if sample_rng.random() < 0.01:  # remember a few articles to draw queries from
            samples["articles"].append([w for p in paragraphs for s in p for w in s])
        samples["topic_words"].update(corpus.words[i] for i in topic.tolist())
        if len(batch) == 2000:
            _store(batch, authors, rng)
            batch = []
    if batch:
        _store(batch, authors, rng)
    return time.perf_counter() - started


def _store(batch, authors, rng) -> None:
    from django.db import transaction

    from masthead.articles.models import Article, Byline

    with transaction.atomic():
        created = Article.objects.bulk_create(batch)
        if created and created[0].pk is None:  # SQLite before RETURNING: read the ids back
            created = list(Article.objects.filter(slug__in=[a.slug for a in batch]))
        Byline.objects.bulk_create(
            [Byline(article=a, author=authors[rng.randrange(len(authors))], position=0)
             for a in created])


def queries(corpus: Corpus, samples: dict) -> dict[str, list[tuple[str, dict]]]:
    from masthead.search.query import STOPWORDS

    rng = random.Random(SEED + 2)
    content = corpus.words[corpus.n_function:corpus.n_function + 5000]
    topic_words = sorted(samples["topic_words"])
    docs = samples["articles"]

    def content_words(doc):
        return [w for w in dict.fromkeys(doc) if w not in STOPWORDS]

    def phrase(doc):
        while True:
            size = rng.choice((2, 3))
            start = rng.randrange(len(doc) - size)
            words = doc[start:start + size]
            if words[0] not in STOPWORDS and words[-1] not in STOPWORDS:
                return '"' + " ".join(words) + '"'

    n = QUERIES_PER_CATEGORY
    return {
        "one-word": [(rng.choice(topic_words if i % 2 else content), {}) for i in range(n)],
        "multi-word": [(" ".join(rng.sample(content_words(rng.choice(docs)), rng.choice((2, 3)))),
                        {}) for _ in range(n)],
        "phrase": [(phrase(rng.choice(docs)), {}) for _ in range(n)],
        "filtered": [(rng.choice(topic_words if i % 2 else content),
                      {"section": rng.choice(SECTIONS).lower()}) for i in range(n)],
        "frequent-word": [(w, {}) for w in corpus.words[corpus.n_function:corpus.n_function + 20]],
    }


def time_queries(items) -> dict:
    from masthead.search.services import SearchFilters, search

    timings, totals = [], []
    for raw, filters in items:
        started = time.perf_counter()
        page = search(raw, SearchFilters(**filters))
        timings.append((time.perf_counter() - started) * 1000)
        totals.append(page.total)
    timings.sort()

    def pct(q):
        return round(timings[min(len(timings) - 1, int(q * len(timings)))], 2)

    return {"queries": len(timings), "p50_ms": pct(0.50), "p95_ms": pct(0.95),
            "p99_ms": pct(0.99), "max_ms": round(timings[-1], 2),
            "mean_ms": round(statistics.fmean(timings), 2),
            "median_matches": int(statistics.median(totals)),
            "max_matches": max(totals),
            "zero_result_share": round(totals.count(0) / len(totals), 3)}


def database_size() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def child(backend: str, articles: int, out: Path, phase: str, data_dir: Path) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    result = {"backend": backend, "articles": articles, "phase": phase}
    stored_queries = data_dir / f"queries-{backend}.json"
    if phase != "queries":
        call_command("migrate", verbosity=0)
    if phase == "all":
        corpus = Corpus(articles)
        samples = {"articles": [], "topic_words": set()}
        result["insert_seconds"] = round(load(corpus, samples), 1)
        stored_queries.write_text(json.dumps(queries(corpus, samples)))

    from masthead.search.backends import get_backend
    from masthead.search.models import Word
    from masthead.search.services import rebuild_index

    if phase != "queries":
        started = time.perf_counter()
        rebuild_index()
        result["index_seconds"] = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE search_document")
                cursor.execute("VACUUM ANALYZE articles_article")
    result["engine"] = get_backend().name
    result["vocabulary_words"] = Word.objects.count()
    result["database_mb"] = round(database_size() / 2**20)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite"
                       else "SHOW server_version")
        result["database_version"] = cursor.fetchone()[0]

    sets = {name: [tuple(q) for q in items]
            for name, items in json.loads(stored_queries.read_text()).items()}
    warm = random.Random(SEED + 3).sample([q for items in sets.values() for q in items], 60)
    time_queries(warm)
    # The machine is shared: the load around the timed part says how far to trust it.
    result["load_average_before_queries"] = [round(x, 2) for x in os.getloadavg()]
    result["categories"] = {name: time_queries(items) for name, items in sets.items()}
    result["load_average_after_queries"] = [round(x, 2) for x in os.getloadavg()]
    result["examples"] = {name: [q for q, _ in items[:4]] for name, items in sets.items()}
    out.write_text(json.dumps(result, indent=2))


# ---------------------------------------------------------------- parent ---------------------

def reset_postgres() -> str | None:
    """Recreate the benchmark database; returns why PostgreSQL is skipped, if it is."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(PG_URL)
    name = parts.path.lstrip("/")
    admin = PG_URL.replace(parts.path, "/postgres")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return f"PostgreSQL not available at {PG_URL}: {exc}".strip()
    return None


def run_backend(backend: str, articles: int, phase: str, data_dir: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="masthead-bench-search-") as tmp:
        data = data_dir / backend if data_dir else Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings",
               "MASTHEAD_DATA_DIR": str(data), "MASTHEAD_PAGE_CACHE": "0",
               "MASTHEAD_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnop"}
        if backend == "postgres":
            skipped = reset_postgres() if phase == "all" else None
            if skipped:
                return {"backend": backend, "skipped": skipped}
            env["MASTHEAD_DATABASE_URL"] = PG_URL
        else:
            env.pop("MASTHEAD_DATABASE_URL", None)
            if phase == "all":
                for old in data.glob("masthead.sqlite3*"):
                    old.unlink()
        out = Path(tmp) / "result.json"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--child", backend, "--articles",
                        str(articles), "--out", str(out), "--phase", phase,
                        "--data-dir", str(data)], env=env, check=True, cwd=ROOT)
        result = json.loads(out.read_text())
        result["wall_seconds"] = round(time.perf_counter() - started, 1)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--data-dir", type=Path,
                        help="keep the databases and query sets here (default: a temporary dir)")
    parser.add_argument("--phase", choices=["all", "index", "queries"], default="all",
                        help="all: fresh database; index: rebuild the index of a kept "
                             "database, then time; queries: only time (needs --data-dir)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.articles, args.out, args.phase, args.data_dir)
        return
    if args.phase != "all" and not args.data_dir:
        parser.error("--phase index|queries needs the --data-dir of an earlier run")

    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    runs = [run_backend(b, args.articles, args.phase, args.data_dir)
            for b in args.backends.split(",") if b]
    # Keep the other backend's last figures when only one is run.
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    kept = {r.get("backend"): r for r in previous.get("backends", [])
            if r.get("articles") == args.articles}
    # A re-timed backend keeps its build figures (insert, index) from the run that built it.
    runs = [{**kept.pop(r["backend"], {}), **r} if args.phase != "all" else r for r in runs]
    runs = list(kept.values()) + runs
    report = {
        "articles": args.articles, "target_p95_ms": TARGET_MS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_at_start": load_at_start},
        "method": "services.search() per query (parse, rank, count, snippets, load the page's "
                  "articles); see the module docstring for corpus and queries",
        "backends": runs,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    for run in runs:
        if "categories" in run:
            run["meets_target"] = all(run["categories"][c]["p95_ms"] < TARGET_MS
                                      for c in ("one-word", "multi-word", "phrase"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for run in runs:
        if "skipped" in run:
            print(f"{run['backend']}: skipped ({run['skipped']})")
            continue
        print(f"\n{run['backend']} ({run['engine']}, {run['database_version']}): "
              f"{run['articles']} articles, insert {run.get('insert_seconds', '-')} s, "
              f"index {run.get('index_seconds', '-')} s, {run['database_mb']} MB, "
              f"load {run.get('load_average_before_queries')}")
        print(f"  {'category':14} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'matches':>8}")
        for name, c in run["categories"].items():
            print(f"  {name:14} {c['p50_ms']:8.1f} {c['p95_ms']:8.1f} {c['p99_ms']:8.1f} "
                  f"{c['median_matches']:8}")
    print(f"\nwrote {args.out} in {report['total_seconds']} s")


if __name__ == "__main__":
    main()
