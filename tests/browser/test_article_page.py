"""Chromium opens a demo article: headline, related block and reply form are there and usable."""

from __future__ import annotations

import os
import re
import urllib.request

import pytest

pytestmark = pytest.mark.browser


def first_article(base_url: str) -> str:
    html = urllib.request.urlopen(base_url + "/", timeout=10).read().decode()
    return re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', html).group(1)


def test_article_page_in_chromium(demo_server, page, artifacts_dir):
    page.goto(demo_server + first_article(demo_server))
    headline = page.locator("h1")
    assert headline.count() == 1 and headline.inner_text().strip()
    related = page.locator("section.related")
    # text_content: the heading is set in small capitals by CSS; the words are the seed's
    assert related.locator("h2").text_content().strip() == "Articles You May Like"
    assert related.locator("a").count() >= 1
    form = page.locator("form[action='/comments/post/']")
    for name in ("author", "email", "url", "comment"):
        assert form.locator(f"[name={name}]").is_visible()
    assert page.get_by_text("Your email address will not be published.").is_visible()
    # Keyboard users get the skip link first, and it is visible when focused.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.screenshot(path=os.path.join(artifacts_dir, "article.png"), full_page=True)


def test_article_page_is_readable_at_320px(demo_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(demo_server + first_article(demo_server))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0, f"page is {overflow}px wider than a 320px screen"


def test_blocks_under_the_story_share_its_reading_column_at_1280px(demo_server, browser):
    """Related list, newsletter sign-up and comments line up with the story's text column."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(demo_server + first_article(demo_server))
    edges = {selector: page.locator(selector).first.bounding_box()
             for selector in ("section.related", "section.newsletter-signup", "section.comments")}
    context.close()
    lefts = {s: round(box["x"]) for s, box in edges.items()}
    widths = {s: round(box["width"]) for s, box in edges.items()}
    assert len(set(lefts.values())) == 1, lefts
    assert len(set(widths.values())) == 1, widths
