"""Chromium loads every picture of the demo's reader pages: none broken, the right rendition
for the screen, and the page's main picture fetched first (issue 16, item 1)."""

from __future__ import annotations

import re
import urllib.request

import pytest

pytestmark = pytest.mark.browser

# Scroll through the page so every lazy image comes into view, then list the broken ones.
LOAD_ALL = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y); await new Promise(r => setTimeout(r, 60));
  }
  await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
  return [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete &&
    i.naturalWidth > 0, shown: i.getBoundingClientRect().width,
    natural: i.naturalWidth}));
}"""


def demo_paths(base: str) -> dict[str, str]:
    front = urllib.request.urlopen(base + "/", timeout=10).read().decode()
    article = re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', front).group(1)
    page = urllib.request.urlopen(base + article, timeout=10).read().decode()
    author = re.search(r'href="(/author/[^"]+/)"', page).group(1)
    tag = re.search(r'href="(/tag/[^"]+/)"', page).group(1)
    return {"front": "/", "article": article, "section": "/section/world/", "author": author,
            "tag": tag, "search": "/search/?q=varesh"}


@pytest.mark.parametrize("width", [360, 1280])
def test_every_picture_on_the_demo_pages_loads(demo_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    try:
        for name, path in demo_paths(demo_server).items():
            page.goto(demo_server + path, wait_until="load")
            images = page.evaluate(LOAD_ALL)
            assert images, f"{name}: no pictures at all"
            broken = [i["src"] for i in images if not i["ok"]]
            assert not broken, f"{name} at {width}px: broken images {broken}"
            # srcset at work: no picture is fetched at more than twice the width it is shown
            # at (plus one rendition step), so a phone never downloads the 1,200 px file.
            oversized = [i["src"] for i in images if i["natural"] > 2 * i["shown"] + 400]
            assert not oversized, f"{name} at {width}px: needlessly large {oversized}"
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than {width}px"
        assert not failed, f"requests that failed: {failed}"
    finally:
        context.close()
