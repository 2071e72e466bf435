"""The page-quality checks shared by the suites in tests/browser/ and by bench/page_weight.py.

Owns three things:
- `PAGE_TYPES` and `discover()`: every page type of the site (reader pages and the newsroom),
  found on a live demo server by following its own links, so the suites need no fixed slugs;
- `layout_problems()`: what a screenshot cannot be allowed to show — horizontal overflow, an
  image that did not load or lacks width/height/alt, and visible text that overlaps other text;
- `axe_violations()` / `nu_errors()`: axe-core (npm `axe-core`, in /opt/axe) and the Nu HTML
  checker (npm `vnu-jar`, in /opt/vnu), both installed by .ci/run.
Nothing here asserts: each function returns a list of readable problems (empty when all is
well) so one test can report every problem of a page at once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

AXE = os.environ.get("MASTHEAD_AXE_JS", "/opt/axe/node_modules/axe-core/axe.min.js")
VNU = os.environ.get("MASTHEAD_VNU_JAR", "/opt/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
WIDTHS = (360, 1280)
SCHEMES = ("light", "dark")

# name -> who looks at it: "reader" (no cookies), "poster" (the reader who just posted a
# comment: the confirmation is shown to them only) or "editor" (logged in to the newsroom).
PAGE_TYPES = {
    "front": "reader", "article": "reader", "section": "reader", "tag": "reader",
    "author": "reader", "search": "reader", "newsletters": "reader", "not-found": "reader",
    "comment-confirmation": "poster", "newsroom-login": "reader", "newsroom-dashboard": "editor",
    "newsroom-articles": "editor", "newsroom-editor": "editor", "newsroom-moderation": "editor",
    "newsroom-front-page": "editor",
}
# Where desk's front-page curation may live; the suite looks for a newsroom link named
# "Front page" first, then tries these, and skips the page type (with that reason) if none is
# there yet, so the checks switch on when the curation page merges.
FRONT_PAGE_CURATION_CANDIDATES = ("/newsroom/front-page/", "/newsroom/frontpage/",
                                  "/newsroom/front/")
ARTICLE_HREF = re.compile(r'href="(/\d{4}/\d{2}/\d{2}/[^"/]+/)"')


@dataclass
class Site:
    """A live site's page types: name -> absolute URL (absent: the reason it is missing)."""

    base: str
    urls: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    states: dict[str, dict] = field(default_factory=dict)  # viewer -> Playwright storage state


def _links(html: str, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf'href="({pattern})"', html)))


def _pick_article(request, base: str) -> tuple[str, str]:
    """The first front-page article with approved comments and a related list (the richest
    article page), and its HTML."""
    front = request.get(base + "/").text()
    fallback = None
    for path in dict.fromkeys(ARTICLE_HREF.findall(front)):
        html = request.get(base + path).text()
        fallback = fallback or (path, html)
        if 'class="comment' in html and 'class="related' in html:
            return path, html
    if fallback is None:
        raise RuntimeError("the front page links to no article")
    return fallback


def discover(browser, base: str, editor_password: str, *, post_comment: bool = True,
             newsroom: bool = True) -> Site:
    """Find one URL of every page type on the live demo site at `base`.

    When `newsroom`, logs the demo editor in (its storage state is kept for the newsroom
    pages); when `post_comment`, posts one comment as a reader so the confirmation page exists.
    """
    site = Site(base)
    context = browser.new_context()
    request = context.request
    article, html = _pick_article(request, base)
    front = request.get(base + "/").text()
    site.urls.update({
        "front": base + "/", "article": base + article,
        "newsletters": base + "/newsletters/", "not-found": base + "/no-such-page-here/",
        "newsroom-login": base + "/newsroom/login/",
    })
    for name, pattern in (("section", r"/section/[^\"/]+/"), ("tag", r"/tag/[^\"/]+/"),
                          ("author", r"/author/[^\"/]+/")):
        found = _links(html, pattern) or _links(front, pattern)
        if found:
            site.urls[name] = base + found[0]
        else:
            site.missing[name] = f"no {name} link on the article or front page"
    headline = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    words = re.findall(r"[A-Za-z]{5,}", re.sub(r"<[^>]+>", " ", headline.group(1))) if headline \
        else []
    site.urls["search"] = base + "/search/?" + urllib.parse.urlencode(
        {"q": words[0] if words else "the"})
    site.states["reader"] = context.storage_state()
    context.close()

    if post_comment:
        site.urls["comment-confirmation"], site.states["poster"] = _post_comment(
            browser, base + article)
    if newsroom:
        site.states["editor"] = _log_in(browser, base, editor_password)
        _discover_newsroom(browser, site)
    return site


def _post_comment(browser, article_url: str) -> tuple[str, dict]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(article_url)
    # The form refuses posts made within ~3 s of loading it (a spam-bot signal).
    page.wait_for_timeout(3300)
    page.fill("#comment", "A reader's question about the figures in the third paragraph.")
    page.fill("#author", "Proof Reader")
    page.fill("#email", "proof.reader@example.org")
    page.click("button:has-text('Post Comment')")
    page.wait_for_url(re.compile(r".*\?comment=\d+"))
    url, state = page.url.split("#")[0], context.storage_state()
    context.close()
    return url, state


def _log_in(browser, base: str, password: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/newsroom/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/newsroom/$"))
    state = context.storage_state()
    context.close()
    return state


def _discover_newsroom(browser, site: Site) -> None:
    base = site.base
    context = browser.new_context(storage_state=site.states["editor"])
    request = context.request
    site.urls.update({"newsroom-dashboard": base + "/newsroom/",
                      "newsroom-articles": base + "/newsroom/articles/",
                      "newsroom-moderation": base + "/newsroom/comments/"})
    listing = request.get(base + "/newsroom/articles/").text()
    edit = _links(listing, r"/newsroom/articles/\d+/")
    site.urls["newsroom-editor"] = base + (edit[0] if edit else "/newsroom/articles/new/")
    dashboard = request.get(base + "/newsroom/").text()
    named = re.search(r'href="(/newsroom/[^"]*)"[^>]*>\s*Front page\s*<', dashboard, re.I)
    candidates = ([named.group(1)] if named else []) + list(FRONT_PAGE_CURATION_CANDIDATES)
    for path in candidates:
        if request.get(base + path).status == 200:
            site.urls["newsroom-front-page"] = base + path
            break
    else:
        site.missing["newsroom-front-page"] = (
            "no front-page curation page in the newsroom yet (tried a 'Front page' link and "
            + ", ".join(FRONT_PAGE_CURATION_CANDIDATES) + ")")
    context.close()


# Runs in the page. Loads lazy images first (a lazy image below the fold has naturalWidth 0
# until scrolled to, which is not a fault), then returns every problem as a string.
LAYOUT_JS = r"""
async () => {
  // Measure the laid-out page in its final fonts (a web font swaps in after `load`).
  await document.fonts.ready;
  const problems = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList && el.classList.length) s += '.' + [...el.classList].join('.');
    const parent = el.parentElement;
    return parent && parent !== document.body ? describe(parent) + ' > ' + s : s;
  };
  const width = document.documentElement.clientWidth;
  const overflow = document.documentElement.scrollWidth - width;
  if (overflow > 0) {
    // Name the deepest elements that stick out, so the report says what to fix.
    const wide = [...document.body.querySelectorAll('*')].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1 &&
             ![...el.children].some(c => c.getBoundingClientRect().right > width + 1);
    }).slice(0, 5).map(el => describe(el) + ' (right edge ' +
                       Math.round(el.getBoundingClientRect().right) + 'px)');
    problems.push(`horizontal overflow: document is ${overflow}px wider than the ` +
                  `${width}px viewport; sticking out: ${wide.join('; ')}`);
  }
  const images = [...document.images];
  for (const img of images) img.loading = 'eager';
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  for (const img of images) {
    const name = describe(img) + ' src=' + (img.currentSrc || img.getAttribute('src'));
    if (!img.complete || img.naturalWidth === 0) problems.push('image did not load: ' + name);
    for (const attr of ['width', 'height', 'alt'])
      if (!img.hasAttribute(attr)) problems.push(`image without ${attr}: ${name}`);
  }
  // Text overlap: the boxes of the rendered text itself (Range rects of each text node, one
  // per line), not element boxes, which overlap legitimately (padding, negative margins).
  // Two runs of text overlap when they share more than 4px horizontally and more than 30% of
  // the shorter line's height: tight headings (line-height 1.0-1.1) overlap their own next
  // line by a few px of glyph box, which is not a fault; text drawn over text is.
  // The visible area of an element: its ancestors' (and its own) clipping boxes intersected;
  // null when nothing of it can be seen.
  const clips = new Map();
  const clipOf = (el) => {
    if (!el || el === document.documentElement) return {left: -1e9, right: 1e9, top: -1e9, bottom: 1e9};
    if (clips.has(el)) return clips.get(el);
    let area = clipOf(el.parentElement);
    const s = getComputedStyle(el);
    if (area && /^rect\(0px,? 0px,? 0px,? 0px\)$/.test(s.clip)) area = null;
    if (area && /inset\((50|100)%/.test(s.clipPath)) area = null;
    if (area && (s.overflowX !== 'visible' || s.overflowY !== 'visible')) {
      const b = el.getBoundingClientRect();
      area = {left: Math.max(area.left, b.left), right: Math.min(area.right, b.right),
              top: Math.max(area.top, b.top), bottom: Math.min(area.bottom, b.bottom)};
      if (area.right - area.left < 2 || area.bottom - area.top < 2) area = null;
    }
    clips.set(el, area);
    return area;
  };
  const skip = 'script,style,noscript,template,select,option,textarea,[aria-hidden="true"]';
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest(skip)) continue;
    // checkVisibility: not rendered at all (display: none, the content of a closed <details>,
    // which Chromium skips with content-visibility but still gives client rects), invisible
    // or fully transparent.
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const clip = clipOf(el);
    if (!clip) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const raw of range.getClientRects()) {
      // What is drawn is the text's box cut by every ancestor that clips (overflow, `clip`):
      // visually hidden text (1px, clipped) is for screen readers and draws nothing.
      const r = {left: Math.max(raw.left, clip.left), right: Math.min(raw.right, clip.right),
                 top: Math.max(raw.top, clip.top), bottom: Math.min(raw.bottom, clip.bottom)};
      r.width = r.right - r.left; r.height = r.bottom - r.top;
      if (r.width < 2 || r.height < 2) continue;
      boxes.push({el, r, text: node.textContent.trim().slice(0, 40)});
    }
  }
  const found = new Set();
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el === b.el) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 4 && h > 0.3 * Math.min(a.r.height, b.r.height)) {
        const key = describe(a.el) + '|' + describe(b.el);
        if (found.has(key)) continue;
        found.add(key);
        problems.push(`text overlaps: "${a.text}" (${describe(a.el)}) and "${b.text}" ` +
                      `(${describe(b.el)}) share ${Math.round(w)}x${Math.round(h)}px`);
      }
    }
  }
  return problems;
}
"""


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_JS)


def axe_violations(page) -> list[str]:
    """axe-core's violations of every rule it runs by default (all impacts), one line per
    failing element: rule, impact, what to fix and where."""
    page.add_script_tag(path=AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for v in result["violations"]:
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: "
                         f"{node['html'][:160]} - {summary[:300]}")
    return lines


def nu_errors(pages: dict[str, str], directory: Path) -> dict[str, list[str]]:
    """The Nu HTML checker's errors for each named HTML document, in one JVM run."""
    paths = {}
    for name, html in pages.items():
        path = directory / f"{name}.html"
        path.write_text(html)
        paths[str(path.resolve())] = name
    done = subprocess.run(["java", "-jar", VNU, "--errors-only", "--format", "json", *paths],
                          capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors: dict[str, list[str]] = {name: [] for name in pages}
    for m in messages:
        if m.get("type") not in ("error", "non-document-error"):
            continue
        source = urllib.parse.unquote(urllib.parse.urlsplit(m.get("url", "")).path)
        name = paths.get(source, source)
        errors.setdefault(name, []).append(
            f"line {m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()[:120]}]")
    return errors
