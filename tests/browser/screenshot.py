"""Take the README screenshot of an article page with Debian's Chromium (via Playwright).

Usage: python tests/browser/screenshot.py OUT.png [BASE_URL]
Without BASE_URL it loads the demo into a temporary data dir, starts `masthead serve` on a free
port, photographs the first featured article, and stops the server.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.e2e.server import running_server  # noqa: E402

CHROMIUM = os.environ.get("MASTHEAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def first_article_path(base_url: str) -> str:
    html = urllib.request.urlopen(base_url + "/", timeout=10).read().decode()
    return re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', html).group(1)


def shoot(base_url: str, out: Path, width: int = 1280, height: int = 1800) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(base_url + first_article_path(base_url))
        page.screenshot(path=str(out), full_page=False)
        # The end of the page: "Articles You May Like", the comments and "Leave a Reply".
        page.set_viewport_size({"width": width, "height": 1400})
        page.evaluate("document.querySelector('section.related').scrollIntoView()")
        page.screenshot(path=str(out.with_name(out.stem + "-related" + out.suffix)))
        browser.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot-article.png")
    if len(sys.argv) > 2:
        shoot(sys.argv[2].rstrip("/"), out)
        return
    with tempfile.TemporaryDirectory() as data_dir, running_server(data_dir, demo=True) as url:
        shoot(url, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
