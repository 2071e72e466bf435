"""Scheduling that cannot be missed (issue 5, point 3), against a real `masthead serve`.

Nothing runs but the server (two worker processes, each with the in-process scheduler). An
article scheduled through the newsroom a few seconds ahead must be invisible before its time,
visible within seconds after it (article page and front page), and published exactly once:
one "published on schedule" revision, however many workers raced for it. A second article,
scheduled and then cancelled, must never appear.

The database is SQLite in the test's own data dir whatever MASTHEAD_DATABASE_URL says, so this
never writes into a shared database.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from tests.e2e.server import masthead, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "scheduling test password 1"
LEAD = 8.0  # seconds between scheduling and the publication time
GRACE = 5.0  # the most a reader may wait after the publication time


# A tiny newsroom client over real HTTP: cookies, CSRF, and forms submitted the way a browser
# does (every field's current value from the page, then the test's changes).
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class NewsroomClient:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())

    def request(self, path: str, data: dict | list | None = None):
        """(status, text, headers); headers are case-insensitive (an email.message.Message)."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(req, timeout=15) as resp:
                return resp.status, resp.read().decode(), resp.headers
        except urllib.error.HTTPError as err:  # 3xx (not followed) and 4xx/5xx
            return err.code, err.read().decode(errors="replace"), err.headers

    def get(self, path: str) -> tuple[int, str]:
        status, text, _ = self.request(path)
        return status, text

    def form(self, path: str, form_xpath: str = "//form[@method='post']") -> dict:
        """The current values of a form on a page, as a browser would submit them."""
        status, text = self.get(path)
        assert status == 200, f"GET {path} → {status}"
        form = lxml_html.fromstring(text).xpath(form_xpath)[0]
        values: dict = {}
        for name, value in form.form_values():
            values.setdefault(name, []).append(value)
        return {k: v if len(v) > 1 else v[0] for k, v in values.items()}

    def post_form(self, path: str, changes: dict, form_xpath: str = "//form[@method='post']"):
        data = {**self.form(path, form_xpath), **changes}
        return self.request(path, data)

    def login(self, username: str, password: str) -> None:
        status, _, headers = self.post_form(
            "/newsroom/login/", {"username": username, "password": password})
        assert status == 302, f"login failed with {status}"

    def csrf_token(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("scheduling")
    env = {"MASTHEAD_DATABASE_URL": f"sqlite:///{data_dir}/masthead.sqlite3"}
    with running_server(data_dir, demo=False, workers=2, extra_env=env) as url:
        full_env = {**os.environ, "MASTHEAD_DATA_DIR": str(data_dir), **env}
        full_env.pop("DJANGO_SETTINGS_MODULE", None)
        done = masthead(["createuser", "desk", "--role", "editor", "--password-stdin"],
                        full_env, input=PASSWORD + "\n", timeout=120)
        assert done.returncode == 0, done.stderr
        client = NewsroomClient(url)
        client.login("desk", PASSWORD)
        yield url, client


def _schedule(client: NewsroomClient, headline: str, when: dt.datetime) -> int:
    status, _, headers = client.post_form("/newsroom/articles/new/", {
        "headline": headline, "body": "It happened.\n\n## Background\n\nMore detail.",
        "publish_at": when.strftime("%Y-%m-%dT%H:%M:%S"), "action": "schedule",
    }, form_xpath="//form[@id='article-form']")
    assert status == 302, f"scheduling failed ({status})"
    return int(headers["location"].rstrip("/").rsplit("/", 1)[1])


def _status(url: str, path: str) -> int:
    return NewsroomClient(url).get(path)[0]


def _wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def test_scheduled_article_goes_live_on_time_exactly_once(site):
    url, client = site
    zone = ZoneInfo(os.environ.get("MASTHEAD_TIME_ZONE", "UTC"))
    when = (dt.datetime.now(zone) + dt.timedelta(seconds=LEAD)).replace(microsecond=0)
    pk = _schedule(client, "Night ferry service resumes", when)
    cancelled = _schedule(client, "Story that was pulled", when)
    status, _, _ = client.request(f"/newsroom/articles/{cancelled}/unpublish/",
                                  {"csrfmiddlewaretoken": client.csrf_token()})
    assert status == 302

    path = f"/{when:%Y/%m/%d}/night-ferry-service-resumes/"
    pulled = f"/{when:%Y/%m/%d}/story-that-was-pulled/"
    due = when.timestamp()

    # Before its time: not on its page, not on the front page (asked several times, so a
    # cached answer would be exercised too).
    checked_before = 0
    while time.time() < due - 1.5:
        assert _status(url, path) == 404
        assert "Night ferry service resumes" not in NewsroomClient(url).get("/")[1]
        checked_before += 1
        time.sleep(0.5)
    assert checked_before >= 2, "the machine was too slow to look before the publication time"

    _wait_until(due)
    seen_at = None
    while time.time() < due + GRACE:
        if _status(url, path) == 200:
            seen_at = time.time()
            break
        time.sleep(0.2)
    assert seen_at is not None, f"not live {GRACE}s after its publication time"

    on_front = False
    while not on_front and time.time() < due + GRACE:
        on_front = "Night ferry service resumes" in NewsroomClient(url).get("/")[1]
        if not on_front:
            time.sleep(0.2)
    assert on_front, "not on the front page within the grace period"

    # Give both workers' schedulers (1 s interval) several chances to race for it.
    time.sleep(3)
    status, page = client.get(f"/newsroom/articles/{pk}/revisions/")
    assert status == 200
    notes = lxml_html.fromstring(page).xpath("//tr[@class='revision']/@data-note")
    assert notes.count("published on schedule") == 1, notes
    _, editor_page = client.get(f"/newsroom/articles/{pk}/")
    assert 'class="status status-published"' in editor_page

    assert _status(url, pulled) == 404
    _, pulled_history = client.get(f"/newsroom/articles/{cancelled}/revisions/")
    assert "published on schedule" not in pulled_history
