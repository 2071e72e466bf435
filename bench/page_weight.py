"""Page weight and paint times of the article and front page (issue 16, Proof).

    python bench/page_weight.py [--base-url URL] [--runs 3]

Without --base-url it loads the demo into a temporary data dir and starts `masthead serve`
(which compresses HTML: gzip, brotli with its wheel). Chromium (Debian's, via Playwright) at
360 px then measures, for the article page (the richest: comments and related list) and the
front page:
- bytes transferred (Chrome DevTools Protocol `encodedDataLength`: compressed bodies plus
  headers), cache disabled, excluding images; and each image's bytes at 360 px, lazy images
  below the fold included (the page is scrolled to the end first);
- First Contentful Paint and Largest Contentful Paint under Lighthouse's "slow 4G" profile:
  150 ms RTT, 1.6 Mbps down, 750 kbps up (`Network.emulateNetworkConditions`) and 4x CPU
  slowdown (`Emulation.setCPUThrottlingRate`), median of --runs cold loads.
Budgets: article <= 60 KB, front page <= 100 KB (both excluding images), each image at 360 px
<= 60 KB. Writes bench/results/page_weight.json, prints a table, exits 1 when over a budget.
The page cache is warmed first: readers mostly get cached pages.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser.quality import discover  # noqa: E402
from tests.e2e.server import running_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
KB = 1024
BUDGETS = {"article": 60 * KB, "front": 100 * KB}
IMAGE_BUDGET = 60 * KB
# Lighthouse's simulated "slow 4G" (lighthouse-core/config/constants.js: mobileSlow4G).
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8,
           "uploadThroughput": 750 * 1024 / 8}
CPU_SLOWDOWN = 4
VIEWPORT = {"width": 360, "height": 740}

LCP_JS = """
() => new Promise(resolve => {
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  let lcp = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) lcp = Math.max(lcp, e.startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve({fcp: fcp ? fcp.startTime : null, lcp: lcp || null}), 200);
})
"""


def transfer(browser, url: str) -> dict:
    """Bytes on the wire per resource type for one cold load, lazy images included."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    requests: dict[str, dict] = {}
    cdp.on("Network.responseReceived", lambda e: requests.setdefault(e["requestId"], {}).update(
        url=e["response"]["url"], type=e["type"],
        encoding=e["response"]["headers"].get("content-encoding", "")))
    cdp.on("Network.loadingFinished", lambda e: requests.setdefault(e["requestId"], {}).update(
        bytes=e["encodedDataLength"]))
    page.goto(url, wait_until="load")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    context.close()
    done = [r for r in requests.values() if "bytes" in r and "url" in r]
    images = [{"url": r["url"], "bytes": r["bytes"]} for r in done if r["type"] == "Image"]
    others = [r for r in done if r["type"] != "Image"]
    document = next((r for r in others if r["type"] == "Document"), {})
    return {"requests": len(done), "bytes_excluding_images": sum(r["bytes"] for r in others),
            "html_bytes": document.get("bytes"), "html_encoding": document.get("encoding"),
            "by_type": {t: sum(r["bytes"] for r in others if r["type"] == t)
                        for t in sorted({r["type"] for r in others})},
            "images": images}


def paints(browser, url: str, runs: int) -> dict:
    """Median FCP and LCP (ms) of `runs` cold loads under slow 4G and 4x CPU slowdown."""
    fcps, lcps = [], []
    for _ in range(runs):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(url, wait_until="load", timeout=120_000)
        found = page.evaluate(LCP_JS)
        context.close()
        fcps.append(found["fcp"])
        lcps.append(found["lcp"])
    return {"fcp_ms": round(statistics.median(fcps)), "lcp_ms": round(statistics.median(lcps)),
            "fcp_runs_ms": [round(v) for v in fcps], "lcp_runs_ms": [round(v) for v in lcps]}


def measure(base_url: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        site = discover(browser, base_url, editor_password="", post_comment=False,
                        newsroom=False)
        pages = {"article": site.urls["article"], "front": site.urls["front"]}
        for url in pages.values():  # warm the page cache
            urllib.request.urlopen(url, timeout=30).read()
        results = {}
        for name, url in pages.items():
            results[name] = {"url": url.removeprefix(base_url), **transfer(browser, url),
                             **paints(browser, url, runs)}
        browser.close()
    return results


def judge(results: dict) -> list[str]:
    failures = []
    for name, budget in BUDGETS.items():
        got = results[name]["bytes_excluding_images"]
        if got > budget:
            failures.append(f"{name}: {got / KB:.1f} KB excluding images > {budget / KB:.0f} KB")
        for image in results[name]["images"]:
            if image["bytes"] > IMAGE_BUDGET:
                failures.append(f"{name}: image {image['url']} is {image['bytes'] / KB:.1f} KB"
                                f" > {IMAGE_BUDGET / KB:.0f} KB at 360 px")
    return failures


def report(results: dict, failures: list[str]) -> None:
    print(f"{'page':8} {'requests':>8} {'KB excl. images':>16} {'HTML KB':>8} {'images':>6} "
          f"{'largest image KB':>17} {'FCP ms':>7} {'LCP ms':>7}")
    for name, r in results.items():
        largest = max((i["bytes"] for i in r["images"]), default=0)
        print(f"{name:8} {r['requests']:>8} {r['bytes_excluding_images'] / KB:>16.1f} "
              f"{(r['html_bytes'] or 0) / KB:>8.1f} {len(r['images']):>6} {largest / KB:>17.1f} "
              f"{r['fcp_ms']:>7} {r['lcp_ms']:>7}")
    print("budgets: article <= 60 KB, front <= 100 KB (excluding images), each image <= "
          f"{IMAGE_BUDGET // KB} KB at 360 px; slow 4G + {CPU_SLOWDOWN}x CPU for FCP/LCP")
    for failure in failures:
        print("OVER BUDGET:", failure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="measure this site instead of a fresh demo")
    parser.add_argument("--runs", type=int, default=3, help="cold loads per paint figure")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "page_weight.json"))
    args = parser.parse_args()
    started = time.monotonic()
    if args.base_url:
        results = measure(args.base_url.rstrip("/"), args.runs)
    else:
        with tempfile.TemporaryDirectory() as data_dir, running_server(data_dir) as url:
            results = measure(url, args.runs)
    failures = judge(results)
    report(results, failures)
    Path(args.out).write_text(json.dumps({
        "budgets_bytes": {**BUDGETS, "each_image_at_360px": IMAGE_BUDGET},
        "throttling": {**SLOW_4G, "cpu_slowdown": CPU_SLOWDOWN}, "viewport": VIEWPORT,
        "pages": results, "over_budget": failures,
        "seconds": round(time.monotonic() - started, 1),
    }, indent=2) + "\n")
    print(f"wrote {re.sub(str(REPO) + '/', '', args.out)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
