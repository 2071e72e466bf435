"""Take the README's pictures with Debian's Chromium (via Playwright): `make screenshot`.

Usage: python tests/browser/screenshot.py [OUT_DIR] [BASE_URL]
Writes OUT_DIR (default docs/screenshots/) {front,article,moderation}-1280-light.png and
{front,article,moderation}-360-dark.png: the front page, the richest article page (comments,
related list) and the newsroom's moderation queue, on a desktop in light mode and on a phone
in dark mode. Without BASE_URL it loads the demo into a temporary data dir, starts `masthead
serve` on a free port, logs the demo editor in, and stops the server afterwards. With BASE_URL
it photographs that site (the moderation queue needs MASTHEAD_EDITOR_PASSWORD for `editor`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.browser.quality import PAGE_TYPES, discover  # noqa: E402
from tests.e2e.server import running_server  # noqa: E402

CHROMIUM = os.environ.get("MASTHEAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PICTURES = {"front": "front", "article": "article", "moderation": "newsroom-moderation"}
# (width, height, scheme): a desktop window and a phone screen.
SCREENS = ((1280, 1000, "light"), (360, 780, "dark"))


def shoot(base_url: str, password: str, out_dir: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        site = discover(browser, base_url, password, post_comment=False,
                        newsroom=bool(password))
        for picture, page_type in PICTURES.items():
            if page_type not in site.urls:
                print(f"skipped {picture}: no URL (log in with MASTHEAD_EDITOR_PASSWORD)")
                continue
            for width, height, scheme in SCREENS:
                context = browser.new_context(viewport={"width": width, "height": height},
                                              color_scheme=scheme,
                                              storage_state=site.states[PAGE_TYPES[page_type]])
                page = context.new_page()
                page.goto(site.urls[page_type], wait_until="networkidle")
                path = out_dir / f"{picture}-{width}-{scheme}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
        browser.close()
    return written


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    if len(sys.argv) > 2:
        written = shoot(sys.argv[2].rstrip("/"), os.environ.get("MASTHEAD_EDITOR_PASSWORD", ""),
                        out_dir)
    else:
        with tempfile.TemporaryDirectory() as data_dir, \
                running_server(data_dir, demo=True) as url:
            password = (Path(data_dir) / "demo_editor_password").read_text().strip()
            written = shoot(url, password, out_dir)
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
