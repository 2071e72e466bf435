"""What the cluster tests use to talk to the three servers: a browser that keeps cookies and
does not follow redirects, multipart forms, an editor's login, and what the database says of an
article's follow-ups (tests/cluster/test_cluster.py)."""

from __future__ import annotations

import http.cookiejar
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A reader's or editor's browser: cookies kept, redirects not followed."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect)

    def request(self, url, data=None, headers=None, timeout=30):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=timeout) as reply:
                return reply.status, reply.headers, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, url):
        return self.request(url)

    def post(self, url, fields, files=None, referer=None):
        headers = {"Referer": referer or url, "Origin": origin(url)}
        if files:
            body, ctype = multipart(fields, files)
        else:
            body, ctype = urllib.parse.urlencode(fields).encode(), \
                "application/x-www-form-urlencoded"
        headers["Content-Type"] = ctype
        return self.request(url, data=body, headers=headers)

    def csrf(self, url) -> str:
        _, _, body = self.get(url)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                  f"{value}\r\n".encode())
    for name, (filename, data, ctype) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                  f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def login(browser: Browser, base: str, editor) -> None:
    url = base + "/newsroom/login/"
    status, _, _ = browser.post(url, {"csrfmiddlewaretoken": browser.csrf(url),
                                      "username": editor[0], "password": editor[1]})
    assert status == 302, status


def every_server(cluster):
    return [s.url for s in cluster.servers if s.proc and s.proc.poll() is None]


def article_state(cluster, pk: int) -> dict:
    """What the database says of one article's follow-ups."""
    done = cluster.python(f"""
import json
from masthead.articles.models import Article
from masthead.recommendations.models import RelatedArticle
a = Article.objects.get(pk={pk})
print(json.dumps({{"url": a.get_absolute_url(), "visible": a.is_visible,
                   "related": RelatedArticle.objects.filter(article_id={pk}).count()}}))
""")
    return json.loads(done.stdout.strip().splitlines()[-1])
