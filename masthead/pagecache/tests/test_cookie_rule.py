"""The fast path reads cookies exactly as Django does (issue 15, item 8).

`Cookie: sessionid =x` passed the old hand-written pattern while Django read the session from
it, so a staff member's page could be stored. Each case below is checked three ways: Django's
own request object, `policy.cache_path`, and a stored page through the real WSGI stack; a
property test compares the rule with Django's parser on generated headers, and checks that
the nginx front's pattern bypasses at least whenever Django would see the cookie.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.handlers.wsgi import WSGIRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.pagecache import policy
from masthead.pagecache.nginx import site_config

NAMES = ("sessionid", "masthead_commenter", "messages")


def wsgi_header(text: str) -> str:
    """What a WSGI server puts in the environ: the header's bytes (UTF-8 here) as latin-1."""
    return text.encode("utf-8").decode("latin-1")


def environ(cookie: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "",
            "HTTP_COOKIE": cookie, "wsgi.input": io.BytesIO(b""), "SERVER_NAME": "x",
            "SERVER_PORT": "80", "wsgi.url_scheme": "http"}


def django_sees(cookie: str) -> bool:
    cookies = WSGIRequest(environ(cookie)).COOKIES
    return any(name in cookies for name in NAMES)


SEEN = [  # every one of these carries a session (or commenter, or flash) cookie for Django
    "sessionid=x", "sessionid =x", "sessionid\t=x", " sessionid=x", "\tsessionid = x",
    "sessionid=", "sessionid= ", 'sessionid="x"', "a=1;sessionid=x", "a=1 ; sessionid = x ;",
    "a=1,b=2; sessionid=x", "sessionid\x0b=x", "\x0csessionid=x", "sessionid\x1c=x",
    "\x1fsessionid\x1d=x", wsgi_header("sessionid\u00a0=x"), wsgi_header("\u2003sessionid=x"),
    wsgi_header("sessionid\u3000=x"), wsgi_header("\u2028sessionid=x"), "sessionid=x=y",
    "messages =flash", " masthead_commenter\t=ids", "sessionid=1; sessionid=2",
    "=; sessionid=x", "; ;sessionid=x",
]
NOT_SEEN = [  # Django reads no such cookie from these: the stored page may be served
    "xsessionid=1", "sessionidx=1", "sessionid", "session id=1", "a=sessionid",
    "a=1, sessionid=x", "sess ionid=x", wsgi_header("sessionid\ufffd=x"), "Sessionid=x",
    "csrftoken=x; theme=dark", "message=x", "a=b\x00sessionid=x",
]


@pytest.mark.parametrize("cookie", SEEN)
def test_cookies_django_reads_keep_the_request_away_from_stored_pages(cookie):
    assert django_sees(cookie), "the case itself is wrong: Django does not see it"
    assert policy.cache_path(environ(cookie)) is None


@pytest.mark.parametrize("cookie", NOT_SEEN)
def test_cookies_django_does_not_read_do_not_bypass(cookie):
    assert not django_sees(cookie), "the case itself is wrong: Django sees it"
    assert policy.cache_path(environ(cookie)) == "/"


def test_a_header_django_cannot_decode_goes_to_django():
    assert policy.cache_path(environ("sessionid=\u0100")) is None


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["sessionid =x", "\tmessages=x", wsgi_header("sessionid\u00a0=x")])
def test_a_stored_page_is_not_served_to_a_spaced_session_cookie(wsgi, make_article, cookie):
    path = make_article("Cookie spelling").get_absolute_url()
    wsgi.get(path)
    assert wsgi.get(path).cache == "HIT"
    reply = wsgi.get(path, Cookie=cookie)
    assert reply.cache.startswith("BYPASS")


def _nginx_pattern() -> re.Pattern:
    config = site_config(data_dir="/srv")
    line = next(x for x in config.splitlines() if x.strip().startswith('"~(?:^|;)'))
    return re.compile(line.strip().split('"')[1][1:].replace("\\\\", "\\"))


_PIECES = st.sampled_from([
    *NAMES, "x", "sessionidx", "a", "=", ";", " ", "\t", ",", '"', "\x0b", "\x1c", "\xa0",
    "\xc2\xa0", "\xe2\x80\x83", "\xff", "\x00", "==",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_rule_is_django_s_parser_and_nginx_is_never_narrower(cookie):
    seen = django_sees(cookie)
    assert (policy.cache_path(environ(cookie)) is None) == seen
    if seen:
        assert _nginx_pattern().search(cookie), cookie
