"""The login throttle under concurrency, against a real `masthead serve` (issue 15, item 3).

An outside attack sent 40 wrong passwords for one account at once and 12 were checked against
a limit of 5; 60 logins across accounts from one address got 26 checks against a limit of 20.
Here the same bursts go to a two-worker server on whichever database the suite runs on: a
checked attempt answers 400 (wrong password), a refused one 429, and exactly the limit may be
checked. Every request comes from 127.0.0.1, so the address limit is shared by both bursts.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.server import masthead, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PASSWORD = "the right password for the throttle test"
PER_ACCOUNT, PER_IP = 5, 20  # masthead/settings.py's defaults, which the server uses


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("login-throttle-live")
    env: dict = {}
    with running_server(data_dir, demo=False, workers=2, env_out=env,
                        extra_env={"MASTHEAD_EMAIL_URL": "memory"}) as url:
        done = masthead(["createuser", "ed", "--role", "editor", "--password-stdin"], env,
                        input=PASSWORD + "\n", timeout=120)
        assert done.returncode == 0, done.stderr
        yield url


class Login:
    """One CSRF cookie and token, shared by every request of a burst (Django allows it)."""

    def __init__(self, base: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        html = opener.open(base + "/newsroom/login/", timeout=30).read().decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in jar)

    def post(self, username: str, password: str) -> int:
        data = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": self.token}).encode()
        request = urllib.request.Request(self.base + "/newsroom/login/", data=data, headers={
            "Cookie": self.cookie, "Origin": self.base, "Referer": self.base + "/newsroom/login/",
        })
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def burst(login: Login, attempts: list[tuple[str, str]]) -> Counter:
    """Send every attempt at the same moment (all threads released by one barrier)."""
    start = threading.Barrier(len(attempts))

    def send(attempt):
        start.wait()
        return login.post(*attempt)

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return Counter(pool.map(send, attempts))


def test_concurrent_logins_never_get_more_checks_than_the_limits(site):
    login = Login(site)

    one_account = burst(login, [("ed", f"wrong guess {i}") for i in range(40)])
    assert one_account == Counter({400: PER_ACCOUNT, 429: 40 - PER_ACCOUNT})
    # The account is locked now: even its right password is not checked.
    assert login.post("ed", PASSWORD) == 429

    # The address has PER_ACCOUNT failures already; across 60 accounts it gets the rest.
    across = burst(login, [(f"someone{i}", "wrong") for i in range(60)])
    left = PER_IP - PER_ACCOUNT
    assert across == Counter({400: left, 429: 60 - left})
