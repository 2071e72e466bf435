"""Issue 19, round 3: evidence beyond shared words applied where it can matter.

Rounds 1 and 2 added hand-weighted evidence (facts agreement, figures that disagree, lead-only
conflicts, publication-time distance) to every score, and none passed the keep rule of
``related_protocol.py``. This round tries three other shapes of the same evidence, on the same
splits (same pools, same draws, same keep rule):

- **near-tie re-ranking**: evidence moves a candidate only against candidates whose score is
  within ``delta`` of it in the same list (a sibling and a twin that the words cannot tell
  apart), never globally;
- **a learned pair model**: a logistic regression on pair features (engine score, text,
  headline and facts cosines, figures / years that disagree, the event year each text names
  against its publication date, days apart, same section), fitted on the *selection* pool's
  candidate pairs only (label: same story for ecbplus, same section for bbc) and shipped as
  constants; its score re-ranks each stored list (alone, or only inside near ties);
- **the event year**: the year a report is about, read from the years written in its text and
  its publication date, compared between the two reports.

Each split is fitted once with the default engine; its stored candidate lists (12 per article,
all past the relevance floor) and the pair features are cached under ``var/twins/``, and every
variant re-ranks those lists offline — a re-ranking can reorder, never admit an article the
floor refused. ``default`` (the lists as stored) reproduces the protocol's default figures.

    python bench/related_twins.py [--splits 6] [--refresh] [--seed N --out FILE]

Writes bench/results/related_protocol_round3.json (``--seed`` deals the pools and draws the
splits with another seed and repeats the whole procedure, model fitting included: a
replication, bench/results/related_protocol_round3_seed7.json). It also reports how well each
piece of evidence tells a sibling from a twin on pairs of the pool it was not fitted on
(``separability``). What was found, and why nothing ships: docs/recommendations.md, "Round 3".
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import related_protocol as rp  # noqa: E402
from related_quality import Labels, load  # noqa: E402

from masthead.recommendations.engines import Doc, LexicalEngine, LexicalSettings  # noqa: E402
from masthead.recommendations.engines.facts import extract_with_units  # noqa: E402
from masthead.recommendations.engines.lists import pick  # noqa: E402

CACHE = ROOT / "var" / "twins"
RESULTS = ROOT / "bench" / "results" / "related_protocol_round3.json"
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
LEAD = 50
FEATURES = ("final", "text", "title", "facts", "names", "fig_conflict", "lead_conflict",
            "year_conflict", "lead_year_conflict", "event_year_apart", "years_apart_pub",
            "same_section")


# -- per-article evidence --------------------------------------------------------------------
def event_year(title: str, body: str, pub_year: int | None) -> int | None:
    """The year a report is about: the most often written year in its headline and lead (then
    in the whole text) that is not after its publication; None when the text names none."""
    for text in (f"{title} {' '.join(body.split()[:LEAD])}", f"{title} {body}"):
        years = [int(y) for y in YEAR.findall(text) if pub_year is None or int(y) <= pub_year]
        if years:
            c = Counter(years)
            return max(c, key=lambda y: (c[y], y))
    return None


def article_evidence(r: dict) -> dict:
    when = rp.as_imported(r)
    facts = extract_with_units(r["title"], r["body"])
    lead = extract_with_units(r["title"], " ".join(r["body"].split()[:LEAD]))
    return {
        "facts": facts,
        "lead": lead,
        "years": {int(y) for y in YEAR.findall(r["title"] + " " + r["body"])},
        "lead_years": {int(y) for y in YEAR.findall(
            r["title"] + " " + " ".join(r["body"].split()[:LEAD]))},
        "event_year": event_year(r["title"], r["body"], when.year),
        "days": when.timestamp() / 86400,
    }


def _conflict(a: dict, b: dict) -> float:
    """Figures that disagree: units both give a figure in, minus figures both give, over
    sqrt(|units a| |units b|) (years, dates and names left out)."""
    fa = {f: u for f, u in a.items() if u and u not in ("year", "date")}
    fb = {f: u for f, u in b.items() if u and u not in ("year", "date")}
    ua, ub = set(fa.values()), set(fb.values())
    if not ua or not ub:
        return 0.0
    return max(0.0, len(ua & ub) - len(set(fa) & set(fb))) / math.sqrt(len(ua) * len(ub))


# -- collecting one split ------------------------------------------------------------------------
def collect(corpus: list[dict]) -> dict:
    """Fit the default engine on ``corpus``; its stored lists and each stored pair's features."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    engine = LexicalEngine(LexicalSettings())
    engine.fit(Doc(r["id"], r["title"], r["body"], section=rp.section_as_imported(r),
                   published_at=rp.as_imported(r)) for r in corpus)
    keys = engine._keys
    n = len(keys)
    ev = [article_evidence(r) for r in corpus]
    df = Counter(f for e in ev for f in e["facts"])
    idf = {f: math.log((1 + n) / (1 + c)) + 1 for f, c in df.items()}
    fnorm = [math.sqrt(sum(idf[f] ** 2 for f in e["facts"])) or 1.0 for e in ev]
    titles = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
        [r["title"] for r in corpus])
    text = engine.features.text.blocks[0].matrix
    sections = [rp.section_as_imported(r) for r in corpus]
    slots = engine.lists.slots[:n].copy()
    scores = engine.lists.scores[:n].copy()
    feats = np.zeros(slots.shape + (len(FEATURES),), np.float32)
    for i in range(n):
        for k, j in enumerate(slots[i].tolist()):
            if j < 0:
                break
            a, b = ev[i], ev[j]
            shared = set(a["facts"]) & set(b["facts"])
            names_a = {f for f, u in a["facts"].items() if not u}
            names_b = {f for f, u in b["facts"].items() if not u}
            ya, yb = a["event_year"], b["event_year"]
            feats[i, k] = (
                scores[i, k],
                float(text[i].multiply(text[j]).sum()),
                float(titles[i].multiply(titles[j]).sum()),
                sum(idf[f] ** 2 for f in shared) / (fnorm[i] * fnorm[j]),
                len(names_a & names_b) / (math.sqrt(len(names_a) * len(names_b)) or 1.0),
                _conflict(a["facts"], b["facts"]),
                _conflict(a["lead"], b["lead"]),
                float(bool(a["years"]) and bool(b["years"]) and not a["years"] & b["years"]),
                float(bool(a["lead_years"]) and bool(b["lead_years"])
                      and not a["lead_years"] & b["lead_years"]),
                0.0 if ya is None or yb is None else min(abs(ya - yb), 5),
                min(abs(a["days"] - b["days"]) / 365.25, 5),
                float(bool(sections[i]) and sections[i] == sections[j]),
            )
    return {"keys": keys, "slots": slots, "scores": scores, "feats": feats,
            "dups": {k: set(v) for k, v in engine.lists.dups.items()}, "records": corpus}


def splits(n_splits: int, refresh: bool, seed: int = rp.SEED) -> dict[str, dict]:
    records = load()
    pl = rp.pools(records, seed)
    cache = CACHE if seed == rp.SEED else CACHE / str(seed)
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for pool in ("select", "confirm"):
        for kind in ("stories", "periods", "sources"):
            for i in range(n_splits if kind != "sources" else 3 * max(1, n_splits // 3)):
                name = f"{pool}/{kind}/{i}"
                path = cache / (name.replace("/", "_") + ".pkl")
                if path.exists() and not refresh:
                    out[name] = pickle.loads(path.read_bytes())
                    continue
                t0 = time.process_time()
                out[name] = collect(rp.draw(pl[pool], kind, i, seed))
                path.write_bytes(pickle.dumps(out[name]))
                print(f"collected {name}: {time.process_time() - t0:.1f} s CPU", flush=True)
    return out


# -- re-ranking variants -------------------------------------------------------------------------
def labels_of(split: dict) -> np.ndarray:
    """Per stored pair: 1 relevant, 0 not, -1 no label (wikinews, or a list's empty slot)."""
    lab = Labels(split["records"])
    keys = split["keys"]
    y = np.full(split["slots"].shape, -1, np.int8)
    for i, a in enumerate(keys):
        for k, j in enumerate(split["slots"][i].tolist()):
            if j < 0:
                break
            if lab.story.get(a):
                y[i, k] = lab.same_story(a, keys[j])
            elif a.startswith("bbc-"):
                y[i, k] = lab.same_cat(a, keys[j])
    return y


def evaluate(split: dict, adjust) -> dict:
    """Measures of the lists re-ranked by ``final + adjust(feats, scores)`` (-inf slots stay
    last; the floor is untouched)."""
    slots, scores, feats = split["slots"], split["scores"], split["feats"]
    new = scores + adjust(feats, scores) if adjust else scores
    new = np.where(slots >= 0, new, -np.inf)
    keys = split["keys"]
    lists = {}
    for i in range(len(keys)):
        o = np.argsort(-new[i], kind="stable")
        chosen = pick(slots[i][o], new[i][o], rp.K, frozenset(), split["dups"])
        lists[keys[i]] = [keys[j] for j, _ in chosen]
    return rp.score(lists, split["records"])


def col(name: str) -> int:
    return FEATURES.index(name)


def linear(weights: dict[str, float]):
    """A fixed linear adjustment: sum of weight x feature (a symmetric pair score)."""
    def adjust(f, s):
        return sum(w * f[..., col(k)] for k, w in weights.items())
    return adjust


def near_tie(weights: dict[str, float], delta: float):
    """Evidence moves a candidate only inside a near tie: each candidate's score becomes the
    score of its tie group's best (groups: runs of candidates within ``delta`` of the next one)
    plus the evidence adjustment, so evidence reorders candidates whose words cannot tell them
    apart and never lifts one over a candidate clearly ahead."""
    base = linear(weights)

    def adjust(f, s):
        adj = base(f, s)
        out = np.zeros_like(s)
        for i in range(s.shape[0]):
            row = s[i]
            head = row[0]
            for k in range(len(row)):
                if not np.isfinite(row[k]):
                    break
                if k and row[k - 1] - row[k] > delta:
                    head = row[k]
                # Within a group all take the head's score; the group stays below the one above
                # it as long as |adjustment| < the gap that opened the group (> delta).
                out[i, k] = head - row[k] + np.clip(adj[i, k], -delta / 2, delta / 2)
        return out
    return adjust


def fit_model(train: list[dict], c: float, names: tuple[str, ...], ecb_only: bool = False):
    """Logistic regression on the stored pairs of ``train`` (labelled pairs only); returns the
    weights of ``names`` relative to the weight of ``final`` (so the adjustment is in score units:
    re-ranking by final + sum(w x feature) is re-ranking by the model's log-odds)."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for split in train:
        y = labels_of(split)
        m = y >= 0
        if ecb_only:  # siblings against everything else an ecbplus list holds (mostly twins)
            m &= np.array([bool(r.get("story")) for r in split["records"]])[:, None]
        xs.append(split["feats"][m][:, [col(n) for n in ("final", *names)]])
        ys.append(y[m])
    x, y = np.concatenate(xs), np.concatenate(ys)
    mu, sd = x.mean(0), x.std(0) + 1e-9
    lr = LogisticRegression(C=c, max_iter=2000).fit((x - mu) / sd, y)
    w = lr.coef_[0] / sd
    return {n: float(w[k + 1] / w[0]) for k, n in enumerate(names)}


def separability(data: dict, sel: list[dict]) -> dict:
    """How well the evidence tells a sibling from a twin among the ecbplus candidate pairs:
    ROC AUC of the engine's score alone and of a model on score + evidence, both fitted on the
    selection pool's pairs and read on the confirmation pool's."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    def xy(splits, names):
        xs, ys = [], []
        for split in splits:
            lab = Labels(split["records"])
            keys = split["keys"]
            for i, a in enumerate(keys):
                if not lab.story.get(a):
                    continue
                for k, j in enumerate(split["slots"][i].tolist()):
                    if j < 0:
                        break
                    if lab.same_story(a, keys[j]) or lab.twin(a, keys[j]):
                        xs.append(split["feats"][i, k, [col(n) for n in names]])
                        ys.append(int(lab.same_story(a, keys[j])))
        return np.array(xs), np.array(ys)

    conf = [v for k, v in data.items() if k.startswith("confirm/")]
    out = {}
    for label, names in (("score only", ("final",)),
                         ("score + evidence, no publication time",
                          ("final", *[n for n in FEATURES[1:] if n != "years_apart_pub"])),
                         ("score + evidence + publication time", FEATURES),
                         *((f"score + {n}", ("final", n)) for n in FEATURES[1:])):
        x, y = xy(sel, names)
        xc, yc = xy(conf, names)
        mu, sd = x.mean(0), x.std(0) + 1e-9
        lr = LogisticRegression(C=1.0, max_iter=2000).fit((x - mu) / sd, y)
        out[label] = {"auc_confirm": round(float(roc_auc_score(
            yc, lr.decision_function((xc - mu) / sd))), 4),
            "pairs_select": [int(y.sum()), int((1 - y).sum())],
            "pairs_confirm": [int(yc.sum()), int((1 - yc).sum())]}
    return out


def summarise(per: dict, names: list[str]) -> dict:
    """Mean, spread and share of splits meeting each target, per pool and kind."""
    out: dict = {}
    for pool in ("select", "confirm"):
        for kind in ("stories", "periods", "sources", "all"):
            rows = [v for k, v in per.items() if k.startswith(pool + "/")
                    and (kind == "all" or k.split("/")[1] == kind)]
            if rows:
                out[f"{pool}/{kind}"] = {n: rp.spread([v[n] for v in rows]) for n in names}
    return out


def run(n_splits: int, refresh: bool, seed: int = rp.SEED) -> dict:
    data = splits(n_splits, refresh, seed)
    sel = [v for k, v in data.items() if k.startswith("select/")]
    evidence = ("facts", "names", "fig_conflict", "lead_conflict", "year_conflict",
                "lead_year_conflict", "event_year_apart", "years_apart_pub", "title")
    no_time = tuple(n for n in evidence if n != "years_apart_pub")
    models = {}
    for c in (0.01, 0.1, 1.0):
        models[f"lr_all_C{c}"] = fit_model(sel, c, evidence)
        models[f"lr_no_pubtime_C{c}"] = fit_model(sel, c, no_time)
        models[f"lr_text_only_C{c}"] = fit_model(sel, c, ("title", "facts", "names",
                                                         "fig_conflict", "lead_conflict"))
        # Run 2: fitted on ecbplus pairs only (siblings against twins), no publication time.
        models[f"lr_ecb_no_pubtime_C{c}"] = fit_model(sel, c, no_time, ecb_only=True)
    variants: dict = {"default": None}
    for name, w in models.items():
        for scale in (0.25, 0.5, 1.0):
            variants[f"{name}_x{scale}"] = linear({k: scale * v for k, v in w.items()})
        for delta in (0.02, 0.05):
            variants[f"{name}_tie{delta}"] = near_tie(w, delta)
    for delta in (0.02, 0.05, 0.1):
        for w in (0.05, 0.1):
            variants[f"tie{delta}_event_year{w}"] = near_tie({"event_year_apart": -w}, delta)
            variants[f"tie{delta}_lead_conflict{w}"] = near_tie({"lead_conflict": -w}, delta)
            variants[f"tie{delta}_facts{w}"] = near_tie({"facts": w}, delta)
    for w in (0.01, 0.02, 0.03, 0.05, 0.1):
        variants[f"event_year{w}"] = linear({"event_year_apart": -w})
        # Any difference in the event year, whatever its size, costs the same.
        variants[f"event_year_any{w}"] = (
            lambda w: lambda f, s: -w * (f[..., col("event_year_apart")] > 0))(w)
    per: dict = {}
    for split_name, split in data.items():
        row = {"articles": len(split["keys"])}
        for vname, adj in variants.items():
            row[vname] = evaluate(split, adj)
        per[split_name] = row
        d = row["default"]
        print(split_name, d["same_story_p4"], d["lookalike_confusion"], d["same_section_p4"],
              flush=True)
    names = list(variants)
    return {
        "round": 3,
        "protocol": "related_protocol.py splits (same pools and draws), default engine fitted "
                    "once per split, stored lists re-ranked offline",
        "seed": seed,
        "features": FEATURES,
        "models": models,
        "separability": separability(data, sel),
        "summary": summarise(per, names),
        "keep_rule": rp.decide(per, names),
        "per_split": per,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--splits", type=int, default=4)
    ap.add_argument("--refresh", action="store_true", help="refit the cached splits")
    ap.add_argument("--seed", type=int, default=rp.SEED,
                    help="deal the pools (and draw the splits) with another seed: a replication")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)
    t0 = time.process_time()
    try:
        report = run(args.splits, args.refresh, args.seed)
    except FileNotFoundError as exc:
        print(f"news corpus not found ({exc}); set MASTHEAD_SHARED_DATA", file=sys.stderr)
        return 2
    report["cpu_s"] = round(time.process_time() - t0, 1)
    Path(args.out).write_text(json.dumps(report, indent=1, default=str) + "\n")
    kr = report["keep_rule"]
    for name, e in sorted(kr.items(), key=lambda x: -x[1]["select"]["mean_gain"])[:25]:
        s, c = e["select"], e.get("confirm", {})
        print(f"{name:<36} sel {s['mean_gain']:+.4f} ({s['better_on']}/{s['worse_on']})  "
              f"conf {c.get('mean_gain', 0):+.4f} ({c.get('better_on')}/{c.get('worse_on')})"
              f"{'  CHOSEN' if e['chosen_on_selection'] else ''}{'  KEPT' if e['kept'] else ''}")
    for pool in ("select/all", "confirm/all"):
        d = report["summary"][pool]["default"]
        print(pool, {k: d[k]["mean"] for k in rp.KEYS})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
