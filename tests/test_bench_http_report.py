"""bench/lib/http_report.py: how runs are merged and targets judged (the figures themselves
come from `make bench`, which needs wrk and nginx and is not part of the test suite)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "lib"))

import http_report  # noqa: E402


def run(requests, seconds, p99, errors=0, load=1.0):
    return {"requests": requests, "seconds": seconds, "p50_ms": p99 / 4, "p90_ms": p99 / 2,
            "p99_ms": p99, "max_ms": p99 * 2, "errors": errors, "non_2xx_3xx": errors,
            "bytes_per_response": 1000, "load": load}


def test_runs_merge_over_all_requests_with_the_worst_tail():
    merged = http_report.merge_runs([run(900, 5, 40), run(1200, 5, 90, errors=2, load=3.0)])
    assert merged["rps"] == 210.0  # 2,100 requests in 10 s, not the mean of two rates
    assert merged["p99_ms"] == 90 and merged["errors"] == 2 and merged["requests"] == 2100
    assert merged["load"] == 2.0


def test_each_uncached_scenario_is_judged_on_its_own():
    scenarios = {"app_uncached_article": {**run(0, 1, 1), "rps": 901.0},
                 "app_uncached_articles_1000": {**run(0, 1, 1), "rps": 1164.0}}
    results = {"scenarios": scenarios, "ratios": {}, "rss_mb": {}, "freshness": {}}
    targets = http_report.targets(results)
    assert not targets["uncached article (the one with 50 comments) >= 1,000 requests/s"]["met"]
    assert targets["uncached, 1,000 distinct articles >= 1,000 requests/s"]["met"]
    assert targets["uncached, 1,000 distinct articles >= 1,000 requests/s"]["value"] == 1164.0
