"""Page-cache fixtures: a cache in a temporary dir and a client that speaks real WSGI.

Django's test client calls the handler directly, skipping `masthead/wsgi.py`; these tests go
through `PageCacheApp(WSGIHandler())`, the very stack granian runs, so hits really bypass
Django. Like the test client, the WSGI client keeps Django from closing the test's database
connection at the end of each request.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from masthead.pagecache.stores import get_store
from masthead.pagecache.wsgi import PageCacheApp


@dataclass
class Reply:
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def cache(self) -> str:
        return self.headers.get("x-cache", "")


class WsgiClient:
    def __init__(self):
        self.app = PageCacheApp(WSGIHandler())

    def request(self, path: str, *, method: str = "GET", headers=None, body: bytes = b"",
                content_type: str = "") -> Reply:
        path_info, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path_info, "QUERY_STRING": query,
            "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": True,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type,
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        seen = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["headers"] = response_headers

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = self.app(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        headers_out = {}
        for name, value in seen["headers"]:
            headers_out.setdefault(name.lower(), value)
        return Reply(seen["status"], headers_out, content)

    def get(self, path: str, **headers) -> Reply:
        return self.request(path, headers={k.replace("_", "-"): v for k, v in headers.items()})


@pytest.fixture
def page_cache(settings, tmp_path):
    """The file store in a fresh dir, enabled, with no CDN hook."""
    settings.MASTHEAD_PAGE_CACHE = True
    settings.MASTHEAD_PAGE_CACHE_STORE = "files"
    settings.MASTHEAD_PAGE_CACHE_DIR = tmp_path / "pagecache"
    settings.MASTHEAD_PAGE_CACHE_PURGE_URL = ""
    settings.MASTHEAD_PAGE_CACHE_PURGE_COMMAND = ""
    return get_store()


@pytest.fixture
def wsgi(page_cache, db):
    return WsgiClient()


@pytest.fixture
def primed(wsgi):
    """GET each path until it is stored; returns the function."""
    def prime(*paths):
        for path in paths:
            first = wsgi.get(path)
            assert first.status == 200, (path, first.status)
            assert first.cache in ("MISS", "HIT"), (path, first.cache)
            assert wsgi.get(path).cache == "HIT", path
    return prime
