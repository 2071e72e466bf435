"""Comment spam filter quality on the YouTube Spam Collection ("Leave a Reply", points 4 and 9).

Run: `.venv/bin/python bench/spam_quality.py` (about 30 s of CPU on one core). Writes
`bench/results/spam_quality.json` and prints a table. Data: the shared, read-only
`comment-spam/youtube-spam.jsonl` (see its README; `$MASTHEAD_SHARED_DATA` overrides the folder).

What is measured, in one run, for Masthead's model, the plain TF-IDF + logistic-regression
baseline and the rules-only fallback (definitions in `masthead/comments/spam/evaluation.py`):
1. hold-out: grouped stratified ~70/30 split, fixed seed; our model tunes C and its thresholds by
   cross-validation inside the 70 % only (`train()` does this itself); the 30 % is scored once;
2. 5-fold grouped cross-validation over the whole file (each fold trains the same way);
3. adaptation: per video, a base model from the other four videos vs `retrain()` with half of
   this video's comments as the "site's decisions", both judged on the other half.
Target from the issue: spam precision >= 0.97 with recall >= 0.93 on the held-out part.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# Run as a plain script from a checkout: make the repository importable without installing it.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from masthead.comments.spam import CommentText, RulesFilter, retrain, train  # noqa: E402
from masthead.comments.spam import evaluation as ev  # noqa: E402
from masthead.comments.spam.corpus import load_youtube_spam, youtube_spam_path  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "spam_quality.json"
TARGET = {"precision": 0.97, "recall": 0.93}
COLUMNS = ("precision", "recall", "f1", "ham_fpr", "flagged_recall", "flagged_ham_fpr",
           "hold_share")  # fmt: skip


def load() -> tuple[list[CommentText], np.ndarray, list[dict]]:
    rows = load_youtube_spam()
    # The collection has no website field; the form's `url` is left empty (see the data README).
    comments = [CommentText(body=r["text"], author=r["author"]) for r in rows]
    return comments, np.array([r["label"] == "spam" for r in rows]), rows


def pick(items, index):
    return [items[i] for i in index]


def run_engines(comments, y, train_idx, test_idx) -> dict:
    examples = list(zip(pick(comments, train_idx), y[train_idx], strict=True))
    model = train(examples)
    test = pick(comments, test_idx)
    engines = {"masthead": model, "baseline": ev.PlainBaseline(examples), "rules": RulesFilter()}
    out = {name: ev.evaluate(e, test, y[test_idx]).as_dict() for name, e in engines.items()}
    out["masthead"]["chosen_C"] = model.info["C"]
    out["masthead"]["out_of_fold_on_train"] = model.info["out_of_fold"]
    return out


def summarise(folds: list[dict]) -> dict:
    names = folds[0].keys()
    result = {}
    for name in names:
        keys = [k for k, v in folds[0][name].items() if isinstance(v, float)]
        result[name] = {
            "mean": {k: round(statistics.mean(f[name][k] for f in folds), 4) for k in keys},
            "std": {k: round(statistics.stdev(f[name][k] for f in folds), 4) for k in keys},
        }
    return result


def adaptation(comments, y, rows) -> dict:
    videos = sorted({r["video"] for r in rows})
    out = {}
    for video in videos:
        here = np.array([i for i, r in enumerate(rows) if r["video"] == video])
        base_idx = np.array([i for i, r in enumerate(rows) if r["video"] != video])
        sub_groups = ev.text_groups(pick(comments, here))
        # Halves, not 70/30: a site has few decisions of its own early on.
        decided_local, test_local = ev.cv_splits(y[here], sub_groups, k=2)[0]
        decided, test = here[decided_local], here[test_local]
        base = list(zip(pick(comments, base_idx), y[base_idx], strict=True))
        site = list(zip(pick(comments, decided), y[decided], strict=True))
        test_c, test_y = pick(comments, test), y[test]
        out[video] = {
            "base_only": ev.evaluate(train(base), test_c, test_y).as_dict(),
            "retrained": ev.evaluate(retrain(base, site), test_c, test_y).as_dict(),
            "site_only": ev.evaluate(train(site), test_c, test_y).as_dict(),
            "site_decisions": len(site),
            "test": len(test),
        }
    return out


def table(title: str, rows: dict[str, dict]) -> str:
    head = f"{title:<28}" + "".join(f"{c:>16}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for name, fig in rows.items():
        lines.append(f"{name:<28}" + "".join(f"{fig.get(c, float('nan')):>16.4f}" for c in COLUMNS))
    return "\n".join(lines)


def main() -> int:
    path = youtube_spam_path()
    if not path.exists():
        print(f"spam_quality: data not found at {path} (set MASTHEAD_SHARED_DATA)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    comments, y, rows = load()
    groups = ev.text_groups(comments)

    train_idx, test_idx = ev.holdout_split(y, groups)
    holdout = run_engines(comments, y, train_idx, test_idx)
    folds = [run_engines(comments, y, tr, te) for tr, te in ev.cv_splits(y, groups)]
    cv = summarise(folds)
    adapt = adaptation(comments, y, rows)

    ours = holdout["masthead"]
    result = {
        "dataset": {"file": "comment-spam/youtube-spam.jsonl", "comments": len(y),
                    "spam": int(y.sum()), "ham": int((~y).sum())},
        "method": {"seed": ev.SEED, "holdout": "grouped stratified 7/10 train, 3/10 test",
                   "train": len(train_idx), "test": len(test_idx),
                   "cv": "5-fold grouped stratified over the whole file",
                   "groups": "identical normalised text kept on one side"},
        "target": TARGET,
        "target_met": ours["precision"] >= TARGET["precision"]
        and ours["recall"] >= TARGET["recall"],
        "holdout": holdout,
        "cv5": {**cv, "folds": folds},
        "adaptation": adapt,
        "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    print(table(f"hold-out (test n={len(test_idx)})", holdout))
    print()
    print(table("5-fold CV (mean)", {k: v["mean"] for k, v in cv.items()}))
    print(table("5-fold CV (std)", {k: v["std"] for k, v in cv.items()}))
    print()
    adapt_rows = {}
    for video, r in adapt.items():
        for variant in ("base_only", "retrained", "site_only"):
            adapt_rows[f"{video}: {variant}"] = r[variant]
    print(table("adaptation (per video)", adapt_rows))
    print(
        f"\ntarget met on hold-out: {result['target_met']}; {result['seconds']} s; "
        f"wrote {RESULTS.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
