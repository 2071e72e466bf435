"""Results of bench/http_bench.py: targets checked, JSON written, table put into the docs."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

START, END = "<!-- http-bench:start -->", "<!-- http-bench:end -->"

# scenario name → what it measures
LABELS = {
    "nginx_static_article": "nginx, article saved as a static file (baseline)",
    "nginx_static_front": "nginx, front page saved as a static file (baseline)",
    "app_cached_article": "app server, page cache, one hot article",
    "app_cached_articles_1000": "app server, page cache, 1,000 distinct articles",
    "app_cached_front": "app server, page cache, front page",
    "app_cached_feed": "app server, page cache, /feed/",
    "app_search": "app server, /search/?q= (never page-cached)",
    "app_cached_read_mix": "app server, page cache, read mix",
    "app_cached_write_mix": "app server, page cache, read mix + 1 comment POST per 100",
    "nginx_front_article": "documented nginx front, one hot article",
    "nginx_front_articles_1000": "documented nginx front, 1,000 distinct articles",
    "nginx_front_front": "documented nginx front, front page",
    "nginx_front_read_mix": "documented nginx front, read mix",
    "app_uncached_article": "app server, MASTHEAD_PAGE_CACHE=0, one article (50 comments)²",
    "app_uncached_articles_1000": "app server, MASTHEAD_PAGE_CACHE=0, 1,000 articles²",
    "app_uncached_front": "app server, MASTHEAD_PAGE_CACHE=0, front page²",
}


def merge_runs(runs: list[dict]) -> dict:
    """One scenario's figures over several wrk runs: requests/s over all of them, the median
    p50, the worst p90/p99/max, summed requests and errors."""
    return {
        "rps": round(sum(r["requests"] for r in runs) / sum(r["seconds"] for r in runs), 1),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p90_ms": max(r["p90_ms"] for r in runs), "p99_ms": max(r["p99_ms"] for r in runs),
        "max_ms": max(r["max_ms"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in runs),
        "bytes_per_response": runs[0]["bytes_per_response"],
        "load": round(statistics.mean(r["load"] for r in runs), 2),
    }


def ratios(scenarios: dict) -> dict:
    """Each compared scenario's ratio to nginx static, measured in alternating rounds."""
    return {name: s["ratio"] for name, s in scenarios.items() if "ratio" in s}


def targets(results: dict) -> dict:
    s, r = results["scenarios"], results["ratios"]

    def check(value, ok):
        return {"value": value, "met": bool(value is not None and ok(value))}

    reads = [s[n] for n in ("app_cached_read_mix", "nginx_front_read_mix") if n in s]
    workers = [mb for group in results["rss_mb"].values() for mb in group.get("workers", [])]
    return {
        "cached article, app alone >= 35% of nginx static":
            check(r.get("app_cached_article"), lambda v: v >= 0.35),
        "cached article, nginx front >= 90% of nginx static":
            check(r.get("nginx_front_article"), lambda v: v >= 0.90),
        "uncached article (the one with 50 comments) >= 1,000 requests/s":
            check(s.get("app_uncached_article", {}).get("rps"), lambda v: v >= 1000),
        "uncached, 1,000 distinct articles >= 1,000 requests/s":
            check(s.get("app_uncached_articles_1000", {}).get("rps"), lambda v: v >= 1000),
        "p99 < 50 ms under the read mix":
            check(max((x["p99_ms"] for x in reads), default=None), lambda v: v < 50),
        "zero errors": check(sum(x["errors"] for x in s.values()), lambda v: v == 0),
        "fresh on the next request":
            check(all(results["freshness"].values()) if results["freshness"] else None,
                  lambda v: v),
        "<= 150 MB RSS per web worker": check(max(workers, default=None), lambda v: v <= 150),
    }


def markdown_table(results: dict) -> str:
    meta, s, r = results["meta"], results["scenarios"], results["ratios"]
    lines = [
        f"Run {meta['date']} · {meta['articles']:,} articles · `wrk -t{meta['threads']} "
        f"-c{meta['connections']} -d{meta['duration']}s` on loopback · {meta['cpus']} CPUs · "
        f"{meta['workers']} server workers · load average {meta['load_before']:.2f} before, "
        f"{meta['load_after']:.2f} after (other work was running: figures are noisy).",
        "",
        "| scenario | requests/s | p50 ms | p99 ms | errors | vs nginx static¹ | load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in LABELS.items():
        if name not in s:
            continue
        x = s[name]
        ratio = f"{r[name]:.0%}" if name in r else ""
        lines.append(f"| {label} | {x['rps']:,.0f} | {x['p50_ms']:.1f} | {x['p99_ms']:.1f} | "
                     f"{x['errors']} | {ratio} | {x['load']:.1f} |")
    for name, why in results.get("not_measured", {}).items():
        lines.append(f"| {LABELS.get(name, name)} | not measured: {why} | | | | | |")
    lines += ["", "¹ Median over alternating rounds against nginx serving the same page as a "
              "static file (each round: baseline, then the scenario), so both saw the same load.",
              "",
              "² Rounds that take the three uncached scenarios in turn (each for half the "
              "duration); requests/s over all rounds, p99 the worst round's (each round's figure: "
              "`rounds` in bench/results/http.json).",
              "", "| target | measured | met |", "|---|---:|:---:|"]
    for name, t in results["targets"].items():
        value = t["value"]
        shown = f"{value:.0%}" if isinstance(value, float) and value < 5 and "%" in name \
            else (f"{value:,.1f}" if isinstance(value, float) else str(value))
        lines.append(f"| {name} | {shown} | {'yes' if t['met'] else '**no**'} |")
    rss = "; ".join(
        f"{k}: " + ", ".join(f"{mb:.0f}" for mb in v.get("workers", []))
        + (" (of which anonymous: " + ", ".join(f"{mb:.0f}" for mb in v["workers_anon"])
           + "; mapped files, mostly the SQLite database: "
           + ", ".join(f"{mb:.0f}" for mb in v["workers_file"]) + ")"
           if v.get("workers_anon") else "")
        for k, v in results["rss_mb"].items())
    lines += ["", f"Web worker RSS (MB) after each phase — {rss}."]
    jobs = "; ".join(f"{k}: {v['job_worker']:.0f} (anonymous {v['job_worker_anon']:.0f})"
                     for k, v in results["rss_mb"].items() if v.get("job_worker") is not None)
    if jobs:
        lines += ["", f"Job worker beside them (`masthead worker`, background jobs; not a web "
                  f"worker, not held to the 150 MB) RSS (MB) — {jobs}."]
    return "\n".join(lines)


def write(results: dict, json_path: Path, doc_path: Path | None) -> None:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    if doc_path is None or not doc_path.exists():
        return
    text = doc_path.read_text()
    block = f"{START}\n{markdown_table(results)}\n{END}"
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text,
                      flags=re.S)
    else:
        text += "\n" + block + "\n"
    doc_path.write_text(text)
