"""The scale benchmark's table for docs/performance.md: one per database, sizes side by side.

Each row is one cost; the last columns are its growth from one size to the next (for the
timed CLI steps, the growth of their CPU time: wall time on a shared machine mostly measures
the neighbours). Whole-archive
costs (import, reindex, size) are expected to grow with the archive (×10 per step): a ratio
well above the archive's growth is marked ▲. Per-request costs (renders, searches) should not
grow at all: a ratio above 1.2 (the issue's "within 20 %") is marked ▲.
"""

from __future__ import annotations

import json
from pathlib import Path

# (label, path into the result, kind): kind "total" grows with the archive, "request" must not.
ROWS = [
    ("import jsonl, s (CPU s)", ("import", "seconds"), "total"),
    ("import jsonl, peak RSS MB", ("import", "peak_rss_mb"), "memory"),
    ("database MB", ("dbsize", "mb"), "total"),
    ("database KB per 1,000 articles", ("dbsize", "kb_per_1000_articles"), "request"),
    ("search reindex, s (CPU s)", ("reindex", "seconds"), "total"),
    ("search reindex, peak RSS MB", ("reindex", "peak_rss_mb"), "memory"),
    ("related rebuild, s (CPU s)", ("related", "seconds"), "total"),
    ("related rebuild, peak RSS MB", ("related", "peak_rss_mb"), "memory"),
    ("sitemaps (index + all files), s", ("sitemaps", "seconds"), "total"),
    ("sitemaps, process growth MB", ("sitemaps", "growth_mb"), "memory"),
    ("news sitemap, ms", ("sitemaps", "news_sitemap_ms"), "request"),
    ("export jsonl, s", ("export", "seconds"), "total"),
    ("export jsonl, peak RSS MB", ("export", "peak_rss_mb"), "memory"),
    ("backup (SQLite online / pg_dump -j2), s", ("backup", "seconds"), "total"),
    ("restore (SQLite copy in place + quick_check / pg_restore -j2), s",
     ("restore", "seconds"), "total"),
]
PAGES = ["article", "front", "section", "tag", "author", "deep page"]
QUERIES = ["one-word", "multi-word", "phrase", "filtered", "frequent-word"]


def _get(result: dict, path: tuple):
    value = result.get("steps", {})
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    if path[-1] == "seconds" and path[0] in ("import", "reindex", "related"):
        # Wall time on a shared machine says little alone: the process's CPU time beside it.
        return (value, result["steps"][path[0]].get("cpu_seconds"))
    return value


def _rows() -> list[tuple[str, tuple, str]]:
    rows = list(ROWS)
    rows += [(f"render {p}, median ms", ("render", "pages", p, "median_ms"), "request")
             for p in PAGES]
    for q in QUERIES:
        rows += [(f"search {q}, p50/p95/p99 ms", ("search", "categories", q), "search")]
    return rows


def _fmt(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "search":
        return f"{value['p50_ms']:.1f} / {value['p95_ms']:.1f} / {value['p99_ms']:.1f}"
    if isinstance(value, tuple):
        return f"{value[0]:,.0f} ({value[1]:,.0f})"
    return f"{value:,.1f}" if isinstance(value, float) and value < 100 else f"{value:,.0f}"


def _ratio(small, big, kind: str, growth: float) -> str:
    if kind == "search":
        small, big = (small or {}).get("p95_ms"), (big or {}).get("p95_ms")
    if isinstance(small, tuple) and isinstance(big, tuple):  # compare CPU time, not wall
        small, big = small[1], big[1]
    if not small or not big:
        return "–"
    ratio = big / small
    limit = growth * 1.2 if kind == "total" else 1.2 if kind in ("request", "search") else None
    flag = " ▲" if limit and ratio > limit else ""
    return f"×{ratio:.2f}{flag}"


def table(files: list[Path]) -> str:
    by_db: dict[str, dict[int, dict]] = {}
    for f in files:
        result = json.loads(f.read_text())
        by_db.setdefault(result["database"], {})[result["articles"]] = result
    out = []
    for db, sizes in sorted(by_db.items()):
        order = sorted(sizes)
        first = sizes[order[0]]
        dates = sorted({s.get("date", "")[:10] for r in sizes.values()
                        for s in r["steps"].values() if s.get("date")})
        out += [f"**{db}** · {', '.join(f'{n:,}' for n in order)} articles · run "
                f"{dates[0] if dates else '?'} to {dates[-1] if dates else '?'} · "
                f"{first['machine']['cpus']} CPUs, Python {first['machine']['python']}",
                ""]
        head = ["cost", *[f"{n:,}" for n in order],
                *[f"{b // a}× articles" if b % a == 0 else f"{b / a:.0f}× articles"
                  for a, b in zip(order, order[1:])]]
        out += ["| " + " | ".join(head) + " |",
                "|---|" + "---:|" * (len(head) - 1)]
        for name, path, kind in _rows():
            values = [_get(sizes[n], path) for n in order]
            if all(v is None for v in values):
                continue
            ratios = [_ratio(values[i], values[i + 1], kind, order[i + 1] / order[i])
                      for i in range(len(order) - 1)]
            out.append("| " + " | ".join([name, *[_fmt(v, kind) for v in values], *ratios])
                       + " |")
        loads = [f"{n:,}: {s['load_before']}" for n in order
                 for name, s in sizes[n]["steps"].items()
                 if name in ("render", "search") and "load_before" in s]
        out += ["", "Load average before the render and search steps: " + "; ".join(loads),
                ""]
    return "\n".join(out).rstrip()
