"""Comments against a real `masthead serve` (granian, 2 workers) over real HTTP.

- Concurrency: many threads post at once, every submission twice (a double click), and every
  accepted comment is stored exactly once.
- Privacy crawl: 200 comments with unique email addresses are posted across the demo site's
  articles and approved; then every page, feed, sitemap and API answer reachable from the
  front page, the sitemaps and the feeds (and the newsroom moderation queue, logged in) is
  fetched, and no address — nor its local part, nor its domain — may appear anywhere.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.cli_helpers import run_cli
from tests.e2e.server import running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SECRET = "cli-test-secret-key-0123456789abcdef"  # cli_helpers' key: server and CLI agree


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("comments-live")
    env = {
        "MASTHEAD_SECRET_KEY": SECRET,
        "MASTHEAD_DATABASE_URL": f"sqlite:///{data_dir}/masthead.sqlite3",
        "MASTHEAD_COMMENTS_RATE_PER_MINUTE": "100000",  # every post comes from 127.0.0.1
        "MASTHEAD_EMAIL_URL": "memory",  # nobody reads the server's stdout pipe
    }
    with running_server(data_dir, demo=True, workers=2, extra_env=env) as url:
        yield url, data_dir, env


def cli(site, *args):
    _, data_dir, env = site
    done = run_cli(data_dir, *args, timeout=300, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def fetch(url: str, opener=None, data: bytes | None = None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    opener = opener or urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def article_paths(base: str) -> list[str]:
    _, _, body = fetch(base + "/sitemap.xml")
    paths = re.findall(r"<loc>https?://[^/<]+(/\d{4}/\d{2}/\d{2}/[^<]+/)</loc>", body.decode())
    if not paths:  # no sitemap yet: the front page's links
        _, _, front = fetch(base + "/")
        paths = re.findall(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', front.decode())
    return sorted(set(paths))


def open_form(base: str, path: str) -> dict | None:
    """The hidden fields of an article's comment form, as a browser would submit them."""
    _, _, body = fetch(base + path)
    html = body.decode()
    if 'name="form_token"' not in html:
        return None
    # The comment form's own fields: a newsletter sign-up form on the page has a token too.
    html = html[html.index('class="comment-form"'):]
    return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("article", "form_token")}


def post_comment(base: str, form: dict, **fields) -> tuple[int, str]:
    data = {"comment_parent": "0", **form, **fields}
    status, headers, _ = fetch(
        base + "/comments/post/", data=urllib.parse.urlencode(data).encode(),
        headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return status, headers.get("Location", "")


def test_concurrent_posts_and_double_clicks_store_every_accepted_comment_once(site):
    base = site[0]
    form = open_form(base, article_paths(base)[0])
    time.sleep(3.2)  # the form token's minimum age, on the real clock
    submissions = [
        {"author": f"Thread Reader {i}", "email": f"thread{i}@concurrency.example",
         "comment": f"Concurrent comment number {i} about the harbour."}
        for i in range(24)
    ]
    start = threading.Barrier(8)

    def send(job):
        index, fields = job
        if index < 8:
            start.wait()  # the first wave leaves together
        return index, post_comment(base, form, **fields)

    # Every form submitted twice at the same moment: a double click racing itself.
    jobs = [(i, s) for i, s in enumerate(submissions) for _ in range(2)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, jobs))

    landed: dict[int, set[str]] = {}
    for index, (status, location) in results:
        assert status == 303, (index, status)
        landed.setdefault(index, set()).add(location)
    assert all(len(locations) == 1 for locations in landed.values())  # same comment twice
    stored = [json.loads(x) for x in cli(site, "comments", "list", "--json").splitlines()]
    bodies = Counter(c["body"] for c in stored if c["body"].startswith("Concurrent comment"))
    assert bodies == Counter({s["comment"]: 1 for s in submissions})


# --- privacy crawl ------------------------------------------------------------------------

SKIP_PREFIXES = ("/static/", "/media/", "/newsroom/logout", "/comments/post/",
                 "/comments/confirm/", "/comments/unsubscribe/")
MAX_URLS = 1500


def links_in(base: str, content_type: str, text: str) -> set[str]:
    found: set[str] = set()
    if "json" in content_type:
        found |= set(re.findall(r'"((?:https?://[^"\s]+)|(?:/[^"\s]*))"', text))
    else:
        found |= set(re.findall(r'(?:href|src)="([^"#]+)', text))
        found |= set(re.findall(r"<(?:loc|link|id|guid|comments)>([^<]+)<", text))
        found |= set(re.findall(r'<link[^>]+href="([^"#]+)"', text))
    paths = set()
    for link in found:
        link = link.replace("&amp;", "&").strip()
        if link.startswith(base):
            link = link[len(base):] or "/"
        # Reply links (?replytocom=N) re-render the same page with another form state.
        if link.startswith("/") and not link.startswith("//") \
                and not link.startswith(SKIP_PREFIXES) and "replytocom=" not in link:
            paths.add(link.split("#", 1)[0])
    return paths


def crawl(base: str, seeds: list[str], opener=None) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(dict.fromkeys(seeds))
    while queue and len(seen) < MAX_URLS:
        path = queue.pop(0)
        if path in seen:
            continue
        status, headers, body = fetch(base + path, opener=opener)
        text = body.decode("utf-8", "replace")
        seen[path] = text
        if status == 200:
            content_type = headers.get("Content-Type", "")
            queue.extend(p for p in links_in(base, content_type, text) if p not in seen)
    return seen


def test_no_commenter_email_appears_in_any_page_feed_sitemap_or_api_answer(site):
    base = site[0]
    articles = article_paths(base)
    forms = {path: open_form(base, path) for path in articles}
    forms = {path: form for path, form in forms.items() if form}
    assert len(forms) >= 10
    time.sleep(3.2)
    salt = secrets.token_hex(3)
    paths = sorted(forms)

    def submit(i):
        local, domain = f"zq{i:03d}x{salt}", f"m{i:03d}{salt}.example"
        fields = {"author": f"Crawler {i}", "email": f"{local}@{domain}",
                  "comment": f"Crawl check {salt} number {i}: the bridge budget deserves scrutiny.",
                  "url": f"https://reader{i}.example/blog" if i % 3 == 0 else ""}
        if i % 10 == 0:
            fields["notify"] = "1"
        status, location = post_comment(base, forms[paths[i % len(paths)]], **fields)
        assert status == 303, (i, status)
        return (fields["email"], local, domain.split(".")[0]), fields["comment"], location

    with ThreadPoolExecutor(max_workers=4) as pool:
        posted = list(pool.map(submit, range(200)))
    addresses = [address for address, _, _ in posted]
    bodies = [body for _, body, _ in posted]
    ids = [location.rsplit("#comment-", 1)[1] for _, _, location in posted]
    cli(site, "comments", "approve", *ids[:180])

    seeds = ["/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt", "/feed/", "/feed/atom/",
             "/feed.json", "/comments/feed/", "/comments/feed/atom/", "/api/v1/",
             "/api/v1/openapi.json", "/search/?q=bridge", *articles]
    seeds += [f"/comments/feed/{form['article']}/" for form in forms.values()]
    pages = crawl(base, seeds)
    pages.update({f"[staff]{p}": t for p, t in crawl_newsroom(site).items()})

    leaks = []
    for path, text in pages.items():
        lowered = text.lower()
        for email, local, domain_label in addresses:
            for part in (email, local, domain_label):
                if part in lowered:
                    leaks.append((path, part))
    assert leaks == []
    shown = sum(1 for body in bodies if any(body in text for text in pages.values()))
    assert shown >= 150, f"the crawl saw only {shown} of the approved comments"
    assert len(pages) >= 60


def crawl_newsroom(site) -> dict[str, str]:
    """The moderation queue, as an editor sees it (logged in through the newsroom)."""
    base = site[0]
    password = secrets.token_urlsafe(16)
    done = run_cli(site[1], "createuser", "crawl-editor", "--role", "editor",
                   "--password-stdin", input=password + "\n", **site[2])
    assert done.returncode == 0, done.stderr
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    _, _, login = fetch(base + "/newsroom/login/", opener=opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.decode()).group(1)
    status, _, _ = fetch(base + "/newsroom/login/", opener=opener,
                         data=urllib.parse.urlencode({
                             "csrfmiddlewaretoken": token, "username": "crawl-editor",
                             "password": password}).encode(),
                         headers={"Referer": base + "/newsroom/login/"})
    assert status == 302
    seeds = [f"/newsroom/comments/?status={s}" for s in ("pending", "approved", "spam", "all")]
    pages = {}
    for path in seeds:
        pages[path] = fetch(base + path, opener=opener)[2].decode()
        for page in sorted(set(re.findall(r'href="(\?[^"]*page=\d+)"', pages[path])))[:20]:
            page = page.replace("&amp;", "&")
            pages[page] = fetch(base + "/newsroom/comments/" + page, opener=opener)[2].decode()
    assert "Comments" in pages[seeds[0]]
    return pages
