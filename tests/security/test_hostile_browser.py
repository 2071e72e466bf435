"""Hostile text shown by Chromium: nothing runs (issue 15, the security suite that stays).

Payloads from the corpus that would set `window.__xss` (or open a dialog) if they ever became
live are imported as an article's headline, standfirst, body, section, tag, author and
approved comments, and sent as search queries; Chromium then opens every page that shows
them. The test fails if any payload ran, if a dialog opened, or if the DOM holds a script,
handler attribute or `javascript:` link that is not the site's own.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.cli_helpers import run_cli

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

PAYLOADS = [
    "<img src=x onerror=window.__xss=1>",
    "\"><svg onload=window.__xss=1>",
    "<script>window.__xss=1</script>",
    "'><script>window.__xss=1</script>",
    "<a href=\"javascript:window.__xss=1\">click</a>",
    "[click](javascript:window.__xss=1)",
    "<iframe srcdoc=\"<script>parent.__xss=1</script>\"></iframe>",
    "</title><script>window.__xss=1</script>",
    "</textarea><script>window.__xss=1</script>",
    "<details open ontoggle=window.__xss=1>",
    "<body onload=window.__xss=1>",
    "\u2028<script>window.__xss=1</script>\x0c",
    "{{ 7*7 }}<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
]
LIVE_DOM = """() => {
  const bad = [];
  for (const s of document.scripts) {
    const own = s.src && new URL(s.src).pathname.startsWith('/static/');
    if (!own && s.type !== 'application/ld+json') bad.push('script ' + s.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(el.tagName + '[' + a.name + ']');
      if (['href', 'src', 'action'].includes(a.name)
          && /^\\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(el.tagName + ' ' + a.value);
    }
    if (['IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName)) bad.push(el.tagName);
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def hostile_article(site, tmp_path_factory):
    record = {
        "id": "hostile-1", "title": "Hostile " + PAYLOADS[0], "standfirst": PAYLOADS[1],
        "body": "\n\n".join(PAYLOADS), "section": "Hostile " + PAYLOADS[2],
        "tags": [PAYLOADS[3], PAYLOADS[9]], "author": "Mallory " + PAYLOADS[10],
        "published_at": "2026-01-10T09:00:00Z",
        "comments": [{"id": f"c{n}", "author": p[:100], "body": p, "status": "approved",
                      "email": f"m{n}@example.org", "url": "https://example.org/\"onmouseover="
                      "\"window.__xss=1", "created_at": "2026-01-10T10:00:00Z"}
                     for n, p in enumerate(PAYLOADS)],
    }
    path = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    path.write_text(json.dumps(record) + "\n")
    done = run_cli(site["data_dir"], "import", "jsonl", str(path), **site["env"])
    assert done.returncode == 0, done.stderr
    return record


def test_no_hostile_text_runs_in_chromium(site, hostile_article, browser):
    base = site["url"]
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + "/search/?q=Hostile")
    article = page.locator("a[href^='/20']:has-text('Hostile')").first.get_attribute("href")
    urls = [base + "/", base + article, base + article + "?replytocom=1",
            base + "/search/?q=Mallory"]
    page.goto(base + article)
    for prefix in ("/section/", "/tag/", "/author/"):
        for href in page.eval_on_selector_all(f"main a[href^='{prefix}']",
                                              "els => els.map(e => e.getAttribute('href'))"):
            urls.append(base + href)
    urls += [f"{base}/search/?q={quote(p)}" for p in PAYLOADS]
    urls += [f"{base}/no-such-page/{quote(PAYLOADS[0])}"]
    for url in dict.fromkeys(urls):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.mouse.move(10, 10)
        page.mouse.move(400, 400)
        assert page.evaluate("window.__xss") is None, url
        assert page.evaluate(LIVE_DOM) == [], url
    assert dialogs == []
    # The detector itself: markup made live by hand is found.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<a href=\"javascript:1\" "
                  "onclick=\"1\">x</a>')")
    assert len(page.evaluate(LIVE_DOM)) == 2
    context.close()
