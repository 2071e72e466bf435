"""Quality and cost of "Articles You May Like" through the database path, as a user runs it.

In a temporary data dir, each step a fresh `masthead` process:

1. `masthead migrate`;
2. the mixed developer corpus (bbc + ecbplus + wikinews-sample, ~2,700 articles) written to a
   JSONL with **id, title, body and published_at only** — no section, no tags, no labels — and
   `masthead import jsonl` it (the import's `bulk_import_finished` builds the lists: nothing
   was built before);
3. `masthead related rebuild` (timed), then `masthead related export FILE`;
4. the export is scored with `engines/evaluation.py` against the withheld labels: same-story
   precision@4 and nDCG@4 on ecbplus `story`, look-alike confusion (the other story of the same
   ecbplus topic), same-section precision@4 and nDCG@4 on bbc `category`, coverage and the
   below-floor rate (articles shown fewer than 4 related; a missing slot counts as a miss),
   next to "latest in section" *given the labels as sections* (bbc category, ecbplus topic,
   wikinews one group) and random lists;
5. in this process, against the same database: one incremental publication through
   `save_article` (cold: the process first loads the snapshot; then warm), an unpublication,
   the page read `related_for`, and the lazy first build (no lists yet) on this corpus;
6. the same lazy first build on the demo site (`masthead demo`, 44 articles).

    python bench/related_quality_db.py [--keep DIR] [--database-url postgres://...]

Writes bench/results/related_quality_db.json. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "bench"))

from related_quality import split_halves  # noqa: E402

from masthead.recommendations.engines import evaluation as ev  # noqa: E402

RESULTS = REPO / "bench" / "results" / "related_quality_db.json"
FILES = ("bbc.jsonl", "ecbplus.jsonl", "wikinews-sample.jsonl")
K = 4


def news_dir() -> Path:
    base = os.environ.get("MASTHEAD_SHARED_DATA") or REPO.parent / "shared" / "data"
    return Path(base) / "news"


def load() -> list[dict]:
    records = []
    for name in FILES:
        with open(news_dir() / name, encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    return records


def write_unlabelled(records: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            row = {"id": r["id"], "title": r["title"], "body": r["body"]}
            if r.get("date"):
                row["published_at"] = f"{r['date']}T12:00:00Z"
            fh.write(json.dumps(row) + "\n")


def masthead(env: dict, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "masthead", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"masthead {' '.join(args)} failed:\n{done.stderr}")
    return took, done.stdout


# -- scoring ----------------------------------------------------------------------------------
class Labels:
    def __init__(self, records: list[dict]) -> None:
        self.keys = [r["id"] for r in records]
        self.story = {r["id"]: r.get("story") for r in records}
        self.cat = {r["id"]: r.get("category") for r in records}
        self.ecb = [k for k in self.keys if self.story[k]]
        self.bbc = [k for k in self.keys if k.startswith("bbc-")]
        self.story_size: dict[str, int] = defaultdict(int)
        self.cat_size: dict[str, int] = defaultdict(int)
        for k in self.ecb:
            self.story_size[self.story[k]] += 1
        for k in self.bbc:
            self.cat_size[self.cat[k]] += 1

    def same_story(self, a, b):
        return self.story.get(b) == self.story[a]

    def twin(self, a, b):
        s = self.story.get(b)
        return bool(s) and s != self.story[a] and s.split("-")[0] == self.story[a].split("-")[0]

    def same_cat(self, a, b):
        return b.startswith("bbc-") and self.cat.get(b) == self.cat[a]


def measure(lists, lab: Labels, ecb=None, bbc=None) -> dict:
    ecb = lab.ecb if ecb is None else ecb
    bbc = lab.bbc if bbc is None else bbc
    return {
        "same_story_p4": ev.precision_at_k(lists, ecb, lab.same_story, K),
        "same_story_ndcg4": ev.ndcg_at_k(lists, ecb, lab.same_story,
                                         lambda a: lab.story_size[lab.story[a]] - 1, K),
        "lookalike_confusion": ev.precision_at_k(lists, ecb, lab.twin, K),
        "same_section_p4": ev.precision_at_k(lists, bbc, lab.same_cat, K),
        "same_section_shown": ev.shown_precision(lists, bbc, lab.same_cat, K),
        "same_section_ndcg4": ev.ndcg_at_k(lists, bbc, lab.same_cat,
                                           lambda a: lab.cat_size[lab.cat[a]] - 1, K),
        **ev.coverage(lists, lab.keys, K),
    }


def by_half(lists, lab: Labels) -> dict:
    """The database path on the cross-validation halves of ``related_quality.py``."""
    halves = split_halves(lab.ecb, lab.bbc, lambda k: lab.story[k].split("-")[0])
    return {h: measure(lists, lab, e, b) for h, (e, b) in halves.items()}


# -- in-process timings against the bench database -------------------------------------------
def timings(records: list[dict]) -> dict:
    import django

    django.setup()
    from django.db import connection

    from masthead.articles import services as articles
    from masthead.articles.models import Article
    from masthead.recommendations import services, state
    from masthead.recommendations.models import EngineState, RelatedArticle

    out: dict = {"database": connection.vendor}
    st = EngineState.objects.get()
    snap = state.snapshot_dir() / f"engine-{st.snapshot}.pickle"
    out["snapshot_mb"] = round(snap.stat().st_size / 1e6, 1)
    out["stored_rows"] = RelatedArticle.objects.count()

    story = next(r for r in records if r.get("story") == "10-b")  # Red Sox offer Teixeira
    new = Article(headline="Red Sox raise their offer for Teixeira",
                  body=story["body"][:1500] + "\n\nThe Red Sox declined to comment.",
                  status=Article.Status.DRAFT)
    articles.save_article(new)

    def timed(func, *args):
        t0 = time.perf_counter()
        func(*args)
        return round(time.perf_counter() - t0, 3)

    state.discard()
    out["publish_cold_s"] = timed(articles.publish_article, new)  # loads the snapshot first
    holders = RelatedArticle.objects.filter(related=new).count()
    out["publish_entered_lists"] = holders
    new.refresh_from_db()
    out["unpublish_warm_s"] = timed(articles.unpublish_article, new)
    new.refresh_from_db()
    out["publish_warm_s"] = timed(articles.publish_article, new)
    out["rss_mb_after_load"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3)

    sample = list(Article.objects.published().select_related("section")
                  .order_by("?")[:500])
    t0 = time.perf_counter()
    for a in sample:
        services.related_for(a)
    out["related_for_ms"] = round((time.perf_counter() - t0) / len(sample) * 1000, 2)

    # The lazy first build: a site whose lists were never built meets its first publication.
    new.refresh_from_db()
    articles.unpublish_article(new)
    EngineState.objects.all().delete()
    RelatedArticle.objects.all().delete()
    state.discard()
    new.refresh_from_db()
    out["lazy_first_build_on_publish_s"] = timed(articles.publish_article, new)
    out["lazy_first_build_reported_s"] = EngineState.objects.get().build_seconds
    return out


def demo_build(python_env: dict, work: Path) -> dict:
    env = {**python_env, "MASTHEAD_DATA_DIR": str(work / "demo")}
    env.pop("MASTHEAD_DATABASE_URL", None)
    masthead(env, "migrate")
    took, _ = masthead(env, "demo")
    db = sqlite3.connect(work / "demo" / "masthead.sqlite3")
    seconds, count = db.execute(
        "SELECT build_seconds, articles FROM recommendations_enginestate").fetchone()
    db.close()
    rebuild_s, said = masthead(env, "related", "rebuild")
    return {"articles": count, "lazy_first_build_s": seconds, "demo_command_s": round(took, 1),
            "rebuild_command_s": round(rebuild_s, 2), "rebuild_says": said.strip()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", help="use (and keep) this data dir instead of a temporary one")
    ap.add_argument("--database-url", default="", help="postgres://... (empty, will be migrated)")
    args = ap.parse_args(argv)
    records = load()
    work = Path(args.keep or tempfile.mkdtemp(prefix="masthead-related-db-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(MASTHEAD_DATA_DIR=str(work / "site"), MASTHEAD_LOG_LEVEL="ERROR")
    if args.database_url:
        env["MASTHEAD_DATABASE_URL"] = args.database_url
    corpus = work / "corpus.jsonl"
    write_unlabelled(records, corpus)
    report: dict = {"corpus": {"articles": len(records), "files": list(FILES),
                               "engine_input": "id, title, body, published_at only"}, "k": K}
    steps = {}
    steps["migrate_s"], _ = masthead(env, "migrate")
    steps["import_jsonl_with_first_build_s"], _ = masthead(env, "import", "jsonl", str(corpus))
    steps["related_rebuild_command_s"], said = masthead(env, "related", "rebuild")
    steps["related_rebuild_says"] = said.strip()
    export_file = work / "related.json"
    steps["related_export_command_s"], _ = masthead(env, "related", "export", str(export_file))
    report["steps"] = {k: round(v, 2) if isinstance(v, float) else v for k, v in steps.items()}
    lists = json.loads(export_file.read_text())

    lab = Labels(records)
    sections = {r["id"]: r.get("category") or "wikinews" for r in records}
    none = {k: None for k in lab.keys}  # imported bbc articles have no date either
    report["systems"] = {
        "database path (engine, stored lists, export)": measure(lists, lab),
        "latest in section (labels given as sections)": measure(
            ev.latest_in_section(lab.keys, sections, none), lab),
        "random": measure(ev.random_lists(lab.keys, seed=1), lab),
    }
    report["database_path_by_half"] = by_half(lists, lab)
    report["below_floor_by_source"] = {
        src: ev.coverage(lists, [k for k in lab.keys if k.startswith(src)], K)["below_floor"]
        for src in ("bbc", "ecbplus", "wikinews")
    }
    report["exported_articles"] = len(lists)
    os.environ.update({k: env[k] for k in ("MASTHEAD_DATA_DIR", "MASTHEAD_LOG_LEVEL")})
    if args.database_url:
        os.environ["MASTHEAD_DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    report["incremental"] = timings(records)
    report["demo"] = demo_build(env, work)
    report["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                         "load_average": [round(x, 1) for x in os.getloadavg()]}
    report["notes"] = [
        "a missing slot (relevance floor) counts as a miss in *_p4 and nDCG",
        "latest-in-section is given the labels as sections; the database path is not",
        "times are wall seconds on a shared host and include process start-up for commands",
    ]
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    rows = {**report["systems"], **{f"database path, half {h}": m
                                    for h, m in report["database_path_by_half"].items()}}
    for name, m in rows.items():
        print(f"{name[:44]:<44} story {m['same_story_p4']:.4f} twin "
              f"{m['lookalike_confusion']:.4f} section {m['same_section_p4']:.4f} "
              f"short {m['below_floor']:.3f}")
    print(json.dumps({"steps": report["steps"], "incremental": report["incremental"],
                      "demo": report["demo"]}, indent=1))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
