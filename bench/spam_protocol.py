"""Spam filter under source-held-out splits: does the operating point hold on new sources?

Issue 19: the operating point chosen by random (text-grouped) cross-validation over-estimated
recall on comments from sources the model had not seen (0.945 predicted, 0.910 on the unseen
set). Here every split holds out whole *sources* — the five videos of the YouTube Spam
Collection — and a model trained on the others scores them:

- ``leave-one-out``: 5 splits, one video held out each (the *confirmation* splits);
- ``leave-two-out``: 10 splits, two videos held out (the *selection* splits);
- ``as-held-out``: 5 splits made the way the unseen set was (``comment-spam/README.md``,
  "Split"): per (video, label), ids sorted, shuffled, the first 20 % held out, with seeds other
  than the organisers'. The unseen comments come from the *same five videos*, not new ones, so
  this is the split that mirrors the unseen check; it is reported beside the keep rule as a
  third, independent check (a kept variant must not lose there either);
- ``periods``: 5 splits of whole time periods: per video, comments in date order, the i-th
  fifth held out (reported; the model is trained on the other four fifths, before and after).

Variants (the rule that picks C and the two thresholds inside ``train()``, on the training
videos only, and the feature sets of ``bench/spam_features.py``) are chosen on the selection
splits and kept only if they also help on the confirmation splits and lose neither on the
as-held-out nor on the periods splits. Each figure is reported as mean, standard deviation,
min and max over the splits, next to a plain TF-IDF + logistic regression (scikit-learn
defaults, spam at 0.5) trained on the same videos in the same run.

    python bench/spam_protocol.py [--variants "SCHEME, RULE;..."] [--features NAME]
    python bench/spam_protocol.py --merge A.json B.json ... --out C.json

``--features`` trains and scores with a feature variant of ``bench/spam_features.py`` (its
variant names get the prefix "NAME: "); ``--merge`` joins the per-split rows of runs made in
parallel (one process per feature set) and applies the keep rule to all of them together.

Writes bench/results/spam_protocol.json. A few minutes of CPU; never part of ``make test``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import spam_features  # noqa: E402  (bench/, beside this file)

from masthead.comments.spam import CommentText, train  # noqa: E402
from masthead.comments.spam import evaluation as ev  # noqa: E402
from masthead.comments.spam.corpus import load_youtube_spam  # noqa: E402
from masthead.comments.spam.tuning import OperatingRule, choose_thresholds  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "spam_protocol.json"
TARGET = {"precision": 0.97, "recall": 0.93}
# Fold schemes train() can use to choose C and read thresholds off out-of-fold scores, and the
# rules that read them (tuning.OperatingRule). A model is trained once per split and scheme;
# each rule's thresholds come from the same out-of-fold scores (choose_thresholds is all that
# differs), so the comparison costs two trainings per split, not one per variant.
SCHEMES = {"text folds": False, "source folds": True}
RULES = {
    "precision 0.985, hold 6 %": OperatingRule(),
    "precision 0.975": OperatingRule(precision=0.975, spam_fpr=0.025),
    "precision 0.97": OperatingRule(precision=0.97, spam_fpr=0.03),
    "hold budget 10 %": OperatingRule(recall=0.99, hold_ham=0.10),
    "hold budget 15 %": OperatingRule(recall=0.99, hold_ham=0.15),
    "precision 0.975, hold budget 10 %": OperatingRule(precision=0.975, spam_fpr=0.025,
                                                       recall=0.99, hold_ham=0.10),
    "hold floor 0.05": OperatingRule(hold_floor=0.05),
    "hold floor 0.05, hold budget 10 %": OperatingRule(hold_floor=0.05, recall=0.99,
                                                       hold_ham=0.10),
    "hold floor 0.03, hold budget 10 %": OperatingRule(hold_floor=0.03, recall=0.99,
                                                       hold_ham=0.10),
    # Round 2: the hold band aims at more of the out-of-fold spam within the same 6 % budget of
    # readers' comments (out-of-fold recall over-states recall on new comments by 1-3 points).
    "hold recall 0.99": OperatingRule(recall=0.99),
    "hold recall 0.985": OperatingRule(recall=0.985),
    "hold recall 0.99, budget 4 %": OperatingRule(recall=0.99, hold_ham=0.04),
}
VARIANTS = [f"{scheme}, {rule}" for scheme in SCHEMES for rule in RULES]
CURRENT = "text folds, precision 0.985, hold 6 %"
KEYS = ("precision", "recall", "flagged_recall", "flagged_precision", "ham_fpr", "ham_held",
        "hold_share", "spam_threshold", "hold_threshold")


AS_HELD_OUT_SEEDS = (1, 2, 3, 4, 5)


def splits(videos: list[str]):
    for v in videos:
        yield "leave-one-out", (v,)
    for pair in itertools.combinations(videos, 2):
        yield "leave-two-out", pair
    for seed in AS_HELD_OUT_SEEDS:
        yield "as-held-out", (f"seed {seed}",)
    for i in range(PERIODS):
        yield "periods", (f"fifth {i}",)


PERIODS = 5


def period_part(rows: list[dict], i: int, parts: int = PERIODS) -> set[str]:
    """Ids of the ``i``-th of ``parts`` stretches of time, per video (comments by date)."""
    held: set[str] = set()
    for v in sorted({r["video"] for r in rows}):
        ordered = sorted((r for r in rows if r["video"] == v), key=lambda r: (r["date"], r["id"]))
        n = len(ordered)
        held |= {r["id"] for r in ordered[i * n // parts : (i + 1) * n // parts]}
    return held


def as_held_out(rows: list[dict], seed: int, share: float = 0.2) -> set[str]:
    """Ids of a held-out part drawn as the unseen set's was: per (video, label), ids sorted,
    shuffled by ``random.Random(seed)``, the first ``share`` held out."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        groups.setdefault((r["video"], r["label"]), []).append(r["id"])
    held: set[str] = set()
    for key in sorted(groups):
        ids = sorted(groups[key])
        rng.shuffle(ids)
        held |= set(ids[: round(share * len(ids))])
    return held


def objective(f: dict) -> float:
    # As the unseen check counts (issue 19): recall = spam not published (called spam or held),
    # precision = of comments called spam. Precision below 0.97 costs three times what recall
    # gains; each readers' comment held for a moderator costs half a caught spam.
    return (f["flagged_recall"] - 3 * max(0.0, TARGET["precision"] - f["precision"])
            - 0.5 * f["ham_held"])


def spread(rows: list[dict]) -> dict:
    out = {}
    for k in KEYS:
        xs = [r[k] for r in rows]
        out[k] = {"mean": round(statistics.fmean(xs), 4),
                  "sd": round(statistics.stdev(xs), 4) if len(xs) > 1 else 0.0,
                  "min": round(min(xs), 4), "max": round(max(xs), 4)}
    for k, t in (("precision", "precision"), ("recall", "recall"), ("flagged_recall", "recall")):
        out[k]["share_meeting_target"] = round(
            sum(r[k] >= TARGET[t] for r in rows) / len(rows), 3)
    return out


def run(names: list[str], kinds: list[str], prefix: str = "") -> list[dict]:
    """Per-split figures of every variant in ``names`` (and the plain baseline)."""
    rows = load_youtube_spam()
    comments = [CommentText(body=r["text"], author=r["author"]) for r in rows]
    y = np.array([r["label"] == "spam" for r in rows])
    video = [r["video"] for r in rows]
    per: list[dict] = []
    for kind, held in splits(sorted(set(video))):
        if kind not in kinds:
            continue
        if kind in ("as-held-out", "periods"):
            number = int(held[0].split()[1])
            ids = as_held_out(rows, number) if kind == "as-held-out" else period_part(rows, number)
            test = [i for i, r in enumerate(rows) if r["id"] in ids]
        else:
            test = [i for i, v in enumerate(video) if v in held]
        in_test = set(test)
        tr = [i for i in range(len(rows)) if i not in in_test]
        examples = [(comments[i], bool(y[i])) for i in tr]
        test_c, test_y = [comments[i] for i in test], y[test]
        row = {"kind": kind, "held_out": list(held), "n_test": len(test),
               "plain tf-idf + LR": ev.evaluate(ev.PlainBaseline(examples), test_c, test_y)
               .as_dict()}
        for scheme, by_source in SCHEMES.items():
            if not any(n.startswith(scheme) for n in names):
                continue
            oof: dict = {}
            model = train(examples, sources=[video[i] for i in tr] if by_source else None,
                          oof_out=oof)
            scores = model.score_many(test_c)
            for rule_name, rule in RULES.items():
                name = f"{scheme}, {rule_name}"
                if name in names:
                    t = choose_thresholds(oof["scores"], oof["y"], oof["w"], rule)
                    row[prefix + name] = ev.figures(scores, test_y, t).as_dict()
        per.append(row)
        print(kind, "+".join(held), "  ".join(
            f"{n[:30]}: {row[n]['precision']:.3f}/{row[n]['recall']:.3f}/"
            f"{row[n]['flagged_recall']:.3f}"
            for n in ("plain tf-idf + LR", *(prefix + m for m in names))), flush=True)
    return per


def merged(files: list[str]) -> list[dict]:
    """Per-split rows of several runs joined by split (each run's variants side by side)."""
    by_split: dict[tuple, dict] = {}
    for f in files:
        for r in json.loads(Path(f).read_text())["per_split"]:
            key = (r["kind"], tuple(r["held_out"]))
            by_split.setdefault(key, {}).update(r)
    return list(by_split.values())


def report(per: list[dict], base: str) -> dict:
    names = [base, *sorted({k for r in per for k in r if isinstance(r[k], dict)
                            and k not in (base, "plain tf-idf + LR")})]
    kinds = [k for k in ("leave-one-out", "leave-two-out", "as-held-out", "periods")
             if any(r["kind"] == k for r in per)]
    summary = {kind: {n: spread([r[n] for r in per if r["kind"] == kind])
                      for n in ("plain tf-idf + LR", *names)
                      if all(n in r for r in per if r["kind"] == kind)}
               for kind in kinds}
    keep = {}
    for n in names[1:]:
        entry = {}
        for kind, role in (("leave-two-out", "select"), ("leave-one-out", "confirm"),
                           ("as-held-out", "as_held_out"), ("periods", "periods")):
            d = [objective(r[n]) - objective(r[base]) for r in per
                 if r["kind"] == kind and n in r and base in r]
            if not d:
                continue
            entry[role] = {"mean_gain": round(statistics.fmean(d), 4),
                           "better_on": sum(x > 1e-9 for x in d),
                           "worse_on": sum(x < -1e-9 for x in d), "splits": len(d)}
        entry["kept"] = ("select" in entry and "confirm" in entry and "as_held_out" in entry
                         and entry["select"]["mean_gain"] > 0 and entry["confirm"]["mean_gain"] > 0
                         and entry["confirm"]["better_on"] >= entry["confirm"]["worse_on"]
                         and entry["as_held_out"]["mean_gain"] >= 0
                         and entry.get("periods", {"mean_gain": 0})["mean_gain"] >= 0)
        keep[n] = entry
    return {"protocol": "whole videos, draws like the unseen set, and time periods held out",
            "target": TARGET,
            "objective": "recall - 3 x max(0, 0.97 - precision) - 0.5 x readers held, "
                         "paired against " + base,
            "summary": summary, "keep_rule": keep, "per_split": per}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", default="", help="names separated by \";\" (default: all)")
    ap.add_argument("--kinds", default="leave-one-out,leave-two-out,as-held-out,periods")
    ap.add_argument("--features", default="shipped", choices=spam_features.FEATURE_SETS)
    ap.add_argument("--merge", nargs="*", default=None, help="join these runs' results")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)
    if args.merge:
        per = merged(args.merge)
    else:
        names = [n for n in VARIANTS if not args.variants or n in args.variants.split(";")]
        names = [CURRENT, *[n for n in names if n != CURRENT]]
        spam_features.use(args.features)
        prefix = "" if args.features == "shipped" else f"{args.features}: "
        try:
            per = run(names, args.kinds.split(","), prefix)
        except FileNotFoundError as exc:
            print(f"spam corpus not found ({exc}); set MASTHEAD_SHARED_DATA", file=sys.stderr)
            return 2
    result = report(per, CURRENT)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    for kind, block in result["summary"].items():
        print(kind)
        for n, m in block.items():
            print(f"  {n:<40}" + "  ".join(
                f"{k} {m[k]['mean']:.3f}±{m[k]['sd']:.3f} [{m[k]['min']:.3f}]"
                for k in ("precision", "recall", "flagged_recall", "ham_held")))
    print(json.dumps(result["keep_rule"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
