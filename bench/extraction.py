"""Benchmark: main-text extraction of `masthead import html` against labelled article pages.

Runs Masthead's extractor (`parse_html_page`; its Markdown body scored as plain text, alone
and with the record's headline and standfirst) and plain `trafilatura.extract` (defaults, and
without comments) in the same run over the shared extraction sets
(`$MASTHEAD_SHARED_DATA/extraction`, default `<repo>/../shared/data/extraction`) and writes
`bench/results/extraction.json`. Scoring re-implements the two source projects' methods as
their README describes them:

- scrapinghub: whitespace tokens, multiset of 4-word shingles; precision and recall per page,
  averaged over pages; F1 from the two averages; accuracy = pages whose tokens match exactly.
- trafilatura-en: whitespace-normalised snippets; a `with` snippet found is a true positive
  (missing: false negative), a `without` snippet found a false positive (absent: true
  negative); precision, recall, F1 and accuracy over all snippets of all pages.

Timings: the "masthead" row includes parsing (title, metadata, two extraction passes); the
"masthead-record" row reuses those parses. Also scored: title, byline and date against the
trafilatura-en annotations, for `parse_html_page` and for `trafilatura.extract_metadata`.

Usage: `python bench/extraction.py [--limit N] [--out FILE]`. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from masthead.importers.records import ArticleRecord, RecordError  # noqa: E402
from masthead.importers.sources.html import parse_html_page  # noqa: E402
from masthead.importers.sources.html_markdown import plain_text  # noqa: E402

Extractor = Callable[[bytes, str], str]


def data_dir() -> Path:
    given = os.environ.get("MASTHEAD_SHARED_DATA")
    return (Path(given) if given else REPO.parent / "shared" / "data") / "extraction"


@functools.cache  # the record is scored three ways; parse each page once
def masthead_record(html: bytes, url: str) -> ArticleRecord | None:
    try:
        return parse_html_page(html, url)
    except RecordError:
        return None


def masthead_text(html: bytes, url: str) -> str:
    """The body as plain text: what the scrapinghub annotators wrote down (no headline)."""
    record = masthead_record(html, url)
    return plain_text(record.body) if record else ""


def masthead_record_text(html: bytes, url: str) -> str:
    """Everything the record publishes as text: headline, standfirst and body.

    The trafilatura-en `with` snippets include headlines, which trafilatura puts in its text
    and Masthead puts in the record's title; scoring the whole record compares like with like.
    """
    record = masthead_record(html, url)
    if not record:
        return ""
    return "\n\n".join(p for p in (record.title, record.standfirst, plain_text(record.body)) if p)


def trafilatura_text(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def trafilatura_no_comments_text(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url, include_comments=False) or ""


EXTRACTORS: dict[str, Extractor] = {
    "masthead": masthead_text,
    "masthead-record": masthead_record_text,
    "trafilatura": trafilatura_text,
    "trafilatura-no-comments": trafilatura_no_comments_text,
}


# --- scoring -----------------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter:
    tokens = text.split()
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_scores(expected: str, got: str) -> tuple[float, float]:
    want, have = shingles(expected), shingles(got)
    common = sum((want & have).values())
    precision = common / sum(have.values()) if have else 0.0
    recall = common / sum(want.values()) if want else 0.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def normalise(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(row: dict, got: str) -> Counter:
    text = normalise(got)
    counts = Counter()
    for snippet in row.get("with") or []:
        counts["tp" if normalise(snippet) in text else "fn"] += 1
    for snippet in row.get("without") or []:
        counts["fp" if normalise(snippet) in text else "tn"] += 1
    return counts


def load_rows(folder: Path, limit: int) -> list[dict]:
    with open(folder / "ground-truth.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return rows[:limit] if limit else rows


def run_scrapinghub(folder: Path, extract: Extractor, limit: int) -> dict:
    rows = load_rows(folder, limit)
    precisions, recalls, exact, started = [], [], 0, time.perf_counter()
    for row in rows:
        got = extract((folder / row["file"]).read_bytes(), row["url"])
        p, r = shingle_scores(row["body"], got)
        precisions.append(p)
        recalls.append(r)
        exact += got.split() == row["body"].split()
    p, r = sum(precisions) / len(rows), sum(recalls) / len(rows)
    return {
        "pages": len(rows),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1(p, r), 4),
        "accuracy": round(exact / len(rows), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


def run_trafilatura_set(folder: Path, extract: Extractor, limit: int) -> dict:
    rows = load_rows(folder, limit)
    total, started = Counter(), time.perf_counter()
    for row in rows:
        got = extract((folder / row["file"]).read_bytes(), row["url"])
        total += snippet_counts(row, got)
    tp, fp, fn, tn = (total[k] for k in ("tp", "fp", "fn", "tn"))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "pages": len(rows),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1(p, r), 4),
        "accuracy": round((tp + tn) / sum(total.values()), 4),
        "snippets": dict(total),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _names(value) -> set[str]:
    values = value if isinstance(value, list) else re.split(r"\s*(?:;|,|\band\b|&)\s*", value or "")
    return {re.sub(r"\W+", "", v.casefold()) for v in values if re.sub(r"\W+", "", v)}


def run_metadata(folder: Path, limit: int) -> dict:
    """Title, byline and date against the set's annotations: Masthead vs trafilatura's own."""
    hits: dict[str, Counter] = {"masthead": Counter(), "trafilatura": Counter()}
    for row in load_rows(folder, limit):
        html = (folder / row["file"]).read_bytes()
        record = masthead_record(html, row["url"])
        ours = {"title": "", "author": [], "date": ""}
        if record:
            ours = {
                "title": record.title,
                "author": record.authors,
                "date": record.published_at.date().isoformat() if record.published_at else "",
            }
        meta = trafilatura.extract_metadata(html, default_url=row["url"])
        theirs = {"title": meta.title or "", "author": meta.author or "", "date": meta.date or ""}
        for label, got in (("masthead", ours), ("trafilatura", theirs)):
            for field in ("title", "author", "date"):
                if not row.get(field):
                    continue
                hits[label][f"{field}_pages"] += 1
                if field == "title":
                    ok = normalise(got["title"]).casefold() == normalise(row["title"]).casefold()
                elif field == "author":
                    ok = _names(got["author"]) == _names(row["author"])
                else:
                    ok = got["date"] == row["date"]
                hits[label][field] += ok
    return {
        label: {
            field: round(c[field] / c[f"{field}_pages"], 4) if c[f"{field}_pages"] else None
            for field in ("title", "author", "date")
        }
        | {"pages": {f: c[f"{f}_pages"] for f in ("title", "author", "date")}}
        for label, c in hits.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=0, help="pages per set (0 = all)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "extraction.json")
    args = parser.parse_args(argv)
    root = data_dir()
    if not root.is_dir():
        print(f"extraction data not found at {root} (set MASTHEAD_SHARED_DATA)", file=sys.stderr)
        return 2

    import logging

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # per-page warnings are noise
    results: dict = {
        "python": platform.python_version(),
        "trafilatura": trafilatura.__version__,
        "sets": {},
    }
    runners = {"scrapinghub": run_scrapinghub, "trafilatura-en": run_trafilatura_set}
    for name, runner in runners.items():
        results["sets"][name] = {
            label: runner(root / name, extract, args.limit) for label, extract in EXTRACTORS.items()
        }
    results["metadata"] = run_metadata(root / "trafilatura-en", args.limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    print(f"{'set':<15} {'extractor':<24} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6}")
    for name, by_extractor in results["sets"].items():
        for label, m in by_extractor.items():
            print(
                f"{name:<15} {label:<24} {m['pages']:>5} {m['precision']:>6.3f} "
                f"{m['recall']:>6.3f} {m['f1']:>6.3f} {m['accuracy']:>6.3f}"
            )
    print("\nmetadata on trafilatura-en (share of annotated pages exactly right)")
    for label, m in results["metadata"].items():
        print(
            f"  {label:<12} title {m['title']:.3f}  author {m['author']:.3f}  date {m['date']:.3f}"
        )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
