"""Per-reader limits behind the documented nginx front (issue 14), over real HTTP.

A real `masthead serve` with MASTHEAD_TRUSTED_PROXIES=127.0.0.1 behind the nginx front that
`masthead pagecache nginx` writes. Readers connect to nginx from their own loopback addresses
(127.0.0.2, 127.0.0.3, ...) while nginx reaches the app from 127.0.0.1, as on a real network.
With two comments per address per minute: ten readers through nginx all get theirs in; one
reader forging X-Forwarded-For, through nginx or straight to the app, is still one address.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.e2e import server

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.needs_nginx]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def app():
    # Outside pytest's private (0700) temp tree: nginx's workers read the page files.
    data_dir = Path(tempfile.mkdtemp(prefix="masthead-proxy-e2e-"))
    data_dir.chmod(0o755)
    env = {"MASTHEAD_TRUSTED_PROXIES": "127.0.0.1", "MASTHEAD_COMMENTS_RATE_PER_MINUTE": "2",
           "MASTHEAD_COMMENTS_MIN_FORM_SECONDS": "0", "MASTHEAD_EMAIL_URL": "memory"}
    try:
        with server.running_server(data_dir, demo=True, workers=2, extra_env=env) as url:
            yield url, data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def front(app, tmp_path_factory):
    base, data_dir = app
    work = tmp_path_factory.mktemp("nginx-proxy")
    port = server.free_port()
    site = subprocess.run(
        [sys.executable, "-m", "masthead", "pagecache", "nginx", "--data-dir", str(data_dir),
         "--listen", f"127.0.0.1:{port}", "--upstream", base.removeprefix("http://")],
        env={**os.environ, "MASTHEAD_DATA_DIR": str(data_dir)}, cwd=server.REPO,
        capture_output=True, text=True, check=True,
    ).stdout
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in site
    (work / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {work}/{kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"worker_processes 1; pid {work}/nginx.pid; error_log {work}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp}\n"
        f"include {work}/site.conf; }}\n"
    )
    proc = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"),
                             "-g", "daemon off;"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.stop(proc)


def request(base: str, method: str, path: str, *, source: str, body: bytes = b"",
            headers=None) -> tuple[int, str]:
    """One HTTP request from the loopback address `source`."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30,
                                      source_address=(source, 0))
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.read().decode(errors="replace")
    finally:
        conn.close()


def articles(base: str) -> list[str]:
    _, front_page = request(base, "GET", "/", source="127.0.0.1")
    return sorted(set(re.findall(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', front_page)))


def post(base: str, path: str, n: int, *, source: str, forwarded: str | None = None) -> int:
    _, page = request(base, "GET", path, source=source)
    page = page[page.index('class="comment-form"'):]  # not the newsletter form's token
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
            for name in ("article", "form_token")}
    data = urllib.parse.urlencode({
        **form, "comment_parent": "0", "author": f"Reader {n}",
        "email": f"reader{n}.{time.time_ns()}@proxy.example",
        "comment": f"Remark number {n} on the harbour, {time.time_ns()}.",
    }).encode()
    headers = {"Origin": base, "Content-Type": "application/x-www-form-urlencoded"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    return request(base, "POST", "/comments/post/", source=source, body=data,
                   headers=headers)[0]


def test_ten_readers_through_nginx_are_limited_each_on_their_own(front):
    path = articles(front)[0]
    codes = [post(front, path, i, source=f"127.0.0.{10 + i}") for i in range(10)]
    assert codes == [303] * 10


def test_a_reader_forging_the_header_through_nginx_is_still_one_address(front):
    path = articles(front)[1]
    codes = [post(front, path, i, source="127.0.0.3", forwarded=f"198.51.100.{i}")
             for i in range(3)]
    assert codes == [303, 303, 429]


def test_a_reader_forging_the_header_straight_to_the_app_is_still_one_address(app):
    base, _ = app
    path = articles(base)[2]
    codes = [post(base, path, i, source="127.0.0.4", forwarded=f"198.51.100.{i}")
             for i in range(3)]
    assert codes == [303, 303, 429]
