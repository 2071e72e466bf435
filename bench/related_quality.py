"""Offline quality of "Articles You May Like" on the shared news corpus (developer part).

Loads bbc + ecbplus + wikinews-sample together (~2,700 articles of mixed provenance) and gives
the engine nothing but id, title, body and date: no section, tags or labels. Each article's
top 4 is then judged against the withheld labels:

- same-story precision@4 and nDCG@4 on ecbplus articles (``story``), and look-alike confusion:
  the share of the 4 slots taken by the *other* story of the same topic (twin ``NN-a``/``NN-b``);
- same-section precision@4 and nDCG@4 on bbc articles (``category``);
- coverage: share of articles recommended somewhere, share with a full list, below-floor rate.

A missing slot (list cut short by the relevance floor) counts as a miss. Baselines computed in
the same run: "latest in the same section", *given the labels as sections* (bbc category,
ecbplus topic; wikinews has none, so it forms one group), a plain tf-idf cosine (scikit-learn
defaults + English stop words, title + body) and random.

Cross-validation: the ecbplus topics are split in two halves (and bbc articles likewise); a
small grid of engine settings is tuned on one half and reported on the other, both ways round.

    python bench/related_quality.py [--no-cv]

Data: ``$MASTHEAD_SHARED_DATA/news`` (default: the repository's parent ``/shared/data/news``).
Writes bench/results/related_quality.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from masthead.recommendations.engines import Doc, LexicalEngine, LexicalSettings  # noqa: E402
from masthead.recommendations.engines import evaluation as ev  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "related_quality.json"
FILES = ("bbc.jsonl", "ecbplus.jsonl", "wikinews-sample.jsonl")
K = 4


def news_dir() -> Path:
    base = os.environ.get("MASTHEAD_SHARED_DATA") or ROOT.parent / "shared" / "data"
    return Path(base) / "news"


def load(directory: Path | None = None) -> list[dict]:
    directory = directory or news_dir()
    records = []
    for name in FILES:
        with open(directory / name, encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    return records


def published(record: dict) -> datetime | None:
    if not record.get("date"):
        return None
    return datetime.fromisoformat(record["date"]).replace(tzinfo=UTC)


def engine_lists(records: list[dict], settings: LexicalSettings | None = None):
    """Fit on title/body/date only; return (key -> top-4 keys, the engine)."""
    engine = LexicalEngine(settings)
    engine.fit(Doc(r["id"], r["title"], r["body"], published_at=published(r)) for r in records)
    return {key: [x.key for x in items] for key, items in engine.all_related(K)}, engine


def plain_tfidf_lists(records: list[dict]) -> dict[str, list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(stop_words="english").fit_transform(
        [r["title"] + "\n" + r["body"] for r in records]
    )
    sims = (x @ x.T).toarray()
    np.fill_diagonal(sims, -1)
    top = np.argsort(-sims, axis=1)[:, :K]
    keys = [r["id"] for r in records]
    return {keys[i]: [keys[j] for j in top[i]] for i in range(len(keys))}


class Labels:
    def __init__(self, records: list[dict]) -> None:
        self.story = {r["id"]: r.get("story") for r in records}
        self.cat = {r["id"]: r.get("category") for r in records}
        self.keys = [r["id"] for r in records]
        self.ecb = [k for k in self.keys if self.story[k]]
        self.bbc = [k for k in self.keys if k.startswith("bbc-")]
        self.story_size: dict[str, int] = {}
        self.cat_size: dict[str, int] = {}
        for k in self.ecb:
            self.story_size[self.story[k]] = self.story_size.get(self.story[k], 0) + 1
        for k in self.bbc:
            self.cat_size[self.cat[k]] = self.cat_size.get(self.cat[k], 0) + 1

    def same_story(self, a: str, b: str) -> bool:
        return self.story.get(b) == self.story[a]

    def twin(self, a: str, b: str) -> bool:
        s = self.story.get(b)
        return bool(s) and s != self.story[a] and s.split("-")[0] == self.story[a].split("-")[0]

    def same_cat(self, a: str, b: str) -> bool:
        return b.startswith("bbc-") and self.cat.get(b) == self.cat[a]

    def topic(self, key: str) -> str:
        return self.story[key].split("-")[0]


def measure(lists, lab: Labels, ecb=None, bbc=None, keys=None) -> dict:
    ecb = lab.ecb if ecb is None else ecb
    bbc = lab.bbc if bbc is None else bbc
    keys = lab.keys if keys is None else keys
    return {
        "same_story_p4": ev.precision_at_k(lists, ecb, lab.same_story, K),
        "same_story_shown": ev.shown_precision(lists, ecb, lab.same_story, K),
        "same_story_ndcg4": ev.ndcg_at_k(
            lists, ecb, lab.same_story, lambda a: lab.story_size[lab.story[a]] - 1, K
        ),
        "lookalike_confusion": ev.precision_at_k(lists, ecb, lab.twin, K),
        "same_section_p4": ev.precision_at_k(lists, bbc, lab.same_cat, K),
        "same_section_shown": ev.shown_precision(lists, bbc, lab.same_cat, K),
        "same_section_ndcg4": ev.ndcg_at_k(
            lists, bbc, lab.same_cat, lambda a: lab.cat_size[lab.cat[a]] - 1, K
        ),
        **ev.coverage(lists, keys, K),
    }


def floor_bands(lists, engine: LexicalEngine, lab: Labels, keys=None) -> dict:
    """Same-section share of the bbc picks by the text cosine that let them in.

    Picks under the text floor (0.05) came in on corroborated evidence (text >= 0.02, final
    score >= 0.4); the band just above the floor is what a text-only floor already admitted.
    """
    bands = {"evidence (text < 0.05)": [0, 0], "text 0.05-0.07": [0, 0], "text >= 0.07": [0, 0]}
    slot = engine.slot_of
    for a in lab.bbc if keys is None else keys:
        text = engine.features.scores_for(slot[a])[2]
        for b in lists[a]:
            t = float(text[slot[b]])
            band = bands[
                "evidence (text < 0.05)" if t < 0.05 else "text 0.05-0.07" if t < 0.07
                else "text >= 0.07"
            ]
            band[0] += lab.same_cat(a, b)
            band[1] += 1
    return {k: {"picks": n, "same_section": round(h / n, 4) if n else None}
            for k, (h, n) in bands.items()}


def grid() -> dict[str, LexicalSettings]:
    """The settings tried in cross-validation.

    Without lead weighting (the previous engine): the fusion weights of the two shared-neighbour
    profiles and the corroborated-evidence floor on or off. With it: how far the lead ramp
    reaches and how heavy it starts, against the two fusion weights. Then one-knob variants
    and ablations of the default.
    """
    base = LexicalSettings()
    no_lead = dataclasses.replace(base.text, lead_weight=1.0)
    out = {}
    for nb in (0.25, 0.5):
        for wide in (0.0, 0.25, 0.5):
            for evidence in (True, False):
                name = f"nolead_neigh{nb:g}_wide{wide:g}_{'evidence' if evidence else 'textfloor'}"
                out[name] = dataclasses.replace(
                    base,
                    text=no_lead,
                    neighbour_weight=nb,
                    wide_neighbour_weight=wide,
                    evidence_floor=base.evidence_floor if evidence else math.inf,
                )
    for terms in (60, 80, 100):
        for weight in (3.0, 4.0, 5.0):
            for nb in (0.25, 0.5):
                for wide in (0.25, 0.5):
                    text = dataclasses.replace(base.text, lead_weight=weight, lead_terms=terms)
                    out[f"lead{weight:g}x{terms}_neigh{nb:g}_wide{wide:g}"] = dataclasses.replace(
                        base, text=text, neighbour_weight=nb, wide_neighbour_weight=wide
                    )
    out["title1.5"] = dataclasses.replace(
        base, text=dataclasses.replace(base.text, title_weight=1.5)
    )
    out["lsa64"] = dataclasses.replace(base, topic_dims=64)
    out["topic_weight0.6"] = dataclasses.replace(base, topic_weight=0.6)
    out["ablation_no_lead"] = dataclasses.replace(base, text=no_lead)
    out["ablation_no_field_profile"] = dataclasses.replace(base, wide_neighbour_weight=0.0)
    out["ablation_text_floor"] = dataclasses.replace(base, evidence_floor=math.inf)
    out["ablation_no_topics"] = dataclasses.replace(base, topic_weight=0.0)
    out["ablation_no_neighbours"] = dataclasses.replace(
        base, neighbour_weight=0.0, wide_neighbour_weight=0.0
    )
    return out


def objective(m: dict) -> float:
    # Equal weight to the three targets: same story, no look-alikes, same section.
    return m["same_story_p4"] - m["lookalike_confusion"] + m["same_section_p4"]


SEED = 20251126


def split_halves(ecb: list[str], bbc: list[str], topic, seed: int = SEED) -> dict:
    """Halves A and B: ecbplus split by topic (whole stories and their twins), bbc by article.

    Also used by ``related_quality_db.py``, so both benches report the same halves.
    """
    rng = random.Random(seed)
    topics = sorted({topic(k) for k in ecb})
    rng.shuffle(topics)
    half = set(topics[: len(topics) // 2])
    bbc = sorted(bbc)
    rng.shuffle(bbc)
    return {
        "A": ([k for k in ecb if topic(k) in half], bbc[: len(bbc) // 2]),
        "B": ([k for k in ecb if topic(k) not in half], bbc[len(bbc) // 2 :]),
    }


def cross_validate(records: list[dict], lab: Labels, seed: int = SEED) -> dict:
    halves = split_halves(lab.ecb, lab.bbc, lab.topic, seed)
    per_config = {}
    for name, settings in grid().items():
        lists, _ = engine_lists(records, settings)
        per_config[name] = {h: measure(lists, lab, e, b) for h, (e, b) in halves.items()}
        print(
            f"  cv {name}: "
            + "  ".join(
                f"{h} {m['same_story_p4']:.4f}/{m['lookalike_confusion']:.4f}/"
                f"{m['same_section_p4']:.4f}"
                for h, m in per_config[name].items()
            ),
            flush=True,
        )
    folds = []
    for tune, test in (("A", "B"), ("B", "A")):
        best = max(per_config, key=lambda n: objective(per_config[n][tune]))
        folds.append(
            {
                "tuned_on": tune,
                "tested_on": test,
                "chosen": best,
                "tuned_half": per_config[best][tune],
                "untuned_half": per_config[best][test],
            }
        )
    return {
        "halves": {
            h: {"ecbplus_topics": sorted({lab.topic(k) for k in e}), "bbc_articles": len(b)}
            for h, (e, b) in halves.items()
        },
        "folds": folds,
        "per_config": per_config,
    }


def _row(name: str, m: dict) -> str:
    return (
        f"{name:<28} {m['same_story_p4']:>7.4f} {m['lookalike_confusion']:>7.4f} "
        f"{m['same_story_ndcg4']:>7.4f} {m['same_section_p4']:>7.4f} "
        f"{m['same_section_ndcg4']:>7.4f} {m['full_list']:>6.3f} {m['below_floor']:>6.3f} "
        f"{m['recommended_somewhere']:>6.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validation grid")
    args = ap.parse_args(argv)
    try:
        records = load()
    except FileNotFoundError as exc:
        print(f"news corpus not found ({exc}); set MASTHEAD_SHARED_DATA", file=sys.stderr)
        return 2
    lab = Labels(records)
    t0 = time.perf_counter()
    lists, engine = engine_lists(records)
    fit_s = time.perf_counter() - t0
    section = {r["id"]: r.get("category") or "wikinews" for r in records}
    dates = {r["id"]: published(r) for r in records}
    systems = {
        "engine (default)": measure(lists, lab),
        "plain tf-idf cosine": measure(plain_tfidf_lists(records), lab),
        "latest in section (labels)": measure(ev.latest_in_section(lab.keys, section, dates), lab),
        "random": measure(ev.random_lists(lab.keys), lab),
    }
    by_source = {
        src: ev.coverage(lists, [k for k in lab.keys if k.startswith(src)], K)["below_floor"]
        for src in ("bbc", "ecbplus", "wikinews")
    }
    report = {
        "corpus": {
            "articles": len(records),
            "ecbplus": len(lab.ecb),
            "bbc": len(lab.bbc),
            "files": list(FILES),
            "engine_input": "id, title, body, date only",
        },
        "k": K,
        "targets": {"same_story_p4": 0.98, "same_section_p4": 0.95, "lookalike_confusion": 0.02},
        "default_settings": dataclasses.asdict(engine.settings),
        "engine_fit_and_lists_s": round(fit_s, 1),
        "systems": systems,
        "below_floor_by_source": by_source,
        "bbc_picks_by_floor_band": floor_bands(lists, engine, lab),
        "notes": [
            "missing slots (relevance floor) count as misses in *_p4 and nDCG",
            "latest-in-section is given the labels as sections: bbc category, ecbplus topic",
            "undated articles (all bbc) are ordered randomly (seeded) inside the baseline",
        ],
    }
    if not args.no_cv:
        report["cross_validation"] = cross_validate(records, lab)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(
        f"{'system':<28} {'story':>7} {'twin':>7} {'s.nDCG':>7} {'section':>7} "
        f"{'c.nDCG':>7} {'full':>6} {'short':>6} {'shown':>6}"
    )
    for name, m in systems.items():
        print(_row(name, m))
    for fold in report.get("cross_validation", {}).get("folds", []):
        print(_row(f"cv tuned on {fold['tuned_on']}", fold["tuned_half"]))
        print(_row(f"cv untuned {fold['tested_on']} ({fold['chosen']})"[:28], fold["untuned_half"]))
    print(f"below floor by source: {by_source}")
    print(f"bbc picks by floor band: {report['bbc_picks_by_floor_band']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
