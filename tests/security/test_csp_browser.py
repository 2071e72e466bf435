"""Every page type in Chromium under the site's Content-Security-Policy: no violation at all.

Reader pages (front, article, reply form moved by reply.js, a posted comment held for
moderation, section, tag, author, search, 404, a page served from the page cache), and the
newsroom (login, dashboard, lists, the editor with its live preview and tag suggestions, a
saved article's revisions and shared preview, media library, staff, sections, the moderation
queue). Violations are caught by a `securitypolicyviolation` listener installed before any
page script (an exposed binding, which the page's CSP cannot block) and by Chromium's console;
a last step injects an inline script to prove the detector sees one (issue 15, item 2).
"""

from __future__ import annotations

import re
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation(e.violatedDirective + " blocked " + e.blockedURI + " at "
                        + e.documentURI + ":" + e.lineNumber);
});
"""


class Watched:
    """A browser context whose every page reports CSP violations into `self.violations`."""

    def __init__(self, browser):
        self.violations: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.expose_binding("__cspViolation",
                                    lambda source, text: self.violations.append(text))
        self.context.add_init_script(LISTENER)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.visited: list[str] = []

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def goto(self, url: str):
        response = self.page.goto(url)
        self.settle()
        self.visited.append(url)
        return response

    def settle(self):
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(150)  # violation events are dispatched asynchronously


def first_href(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("href")


def test_no_page_type_violates_the_content_security_policy(site, browser):
    base = site["url"]
    reader = Watched(browser)
    page = reader.page

    front = reader.goto(base + "/")
    assert "default-src 'self'" in front.headers["content-security-policy"]
    article = base + first_href(page, "main a[href^='/20']")
    reader.goto(article)
    other = Watched(browser)  # another reader (empty browser cache) gets the stored page
    cached = other.goto(article)
    assert cached.headers.get("x-cache") == "HIT"
    assert cached.headers["content-security-policy"] == front.headers["content-security-policy"]
    for kind in ("section", "tag", "author"):
        link = page.locator(f"a[href^='/{kind}/']").first
        if link.count():
            reader.goto(base + link.get_attribute("href"))
            reader.goto(article)
    reader.goto(base + "/search/?q=harbour")
    reader.goto(base + "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    reader.goto(base + "/no-such-page/")

    # Leave a Reply: reply.js moves the form, then a comment is posted and held.
    reader.goto(article)
    loaded = time.monotonic()
    reply = page.locator("a.reply-link").first
    if reply.count():
        reply.click()
        reader.settle()
    page.fill("#comment", "Does the <b>ferry</b> still run on Sundays?")
    page.fill("#author", "CSP Reader")
    page.fill("#email", "csp.reader@example.org")
    page.wait_for_timeout(max(0, 3.3 - (time.monotonic() - loaded)) * 1000)
    page.click("button:has-text('Post Comment')")
    page.wait_for_url(re.compile(r".*#comment-\d+$"))
    reader.settle()
    assert "awaiting moderation" in page.content()

    editor = Watched(browser)
    desk = editor.page
    editor.goto(base + "/newsroom/login/")
    desk.fill("input[name=username]", "sec-editor")
    desk.fill("input[name=password]", site["password"])
    desk.click("button:has-text('Log in')")
    desk.wait_for_selector("h1:text('Dashboard')")
    editor.settle()
    for path in ("/newsroom/articles/", "/newsroom/media/", "/newsroom/users/",
                 "/newsroom/sections/", "/newsroom/users/new/", "/newsroom/password/"):
        assert editor.goto(base + path).status == 200, path

    # The editor: live preview (fetch + innerHTML of sanitised HTML), tag suggestions, save.
    editor.goto(base + "/newsroom/articles/new/")
    desk.fill("input[name=headline]", "Ferry timetable changes")
    desk.fill("textarea[name=body]", "The **winter** timetable starts.\n\n## Sundays\n\n"
              "![The quay](https://images.example.org/quay.jpg)\n\n<script>alert(1)</script>")
    # (A selector, not wait_for_function: Playwright evaluates that with eval, which the CSP
    # rightly refuses.)
    desk.wait_for_selector("#body-preview strong:text('winter')")
    assert desk.locator("#body-preview script").count() == 0
    desk.fill("input[name=tags]", "Fer")
    editor.settle()
    desk.click("button[value=save]")
    desk.wait_for_url(re.compile(r".*/newsroom/articles/\d+/$"))
    editor.settle()
    edit_url = desk.url
    editor.goto(edit_url + "revisions/")
    share = desk.locator("#share-url")
    editor.goto(edit_url)
    if share.count():
        editor.goto(share.input_value())

    queue = editor.goto(base + "/newsroom/comments/")
    assert queue.status == 200 and "ferry" in desk.content()
    desk.locator("button:has-text('Approve')").first.click()
    editor.settle()

    assert reader.violations == [], reader.violations
    assert other.violations == [], other.violations
    assert editor.violations == [], editor.violations

    # The detector itself: an injected inline script and a style attribute must be reported.
    page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.ran = 1';
        document.body.appendChild(s);
        document.body.setAttribute('style', 'color: red');
    }""")
    reader.settle()
    assert page.evaluate("window.ran") is None
    assert any("script-src" in v for v in reader.violations), reader.violations
    assert any("style-src" in v for v in reader.violations), reader.violations
    for watched in (reader, other, editor):
        watched.context.close()
