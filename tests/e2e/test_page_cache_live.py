"""End-to-end page cache: real `masthead serve` (2 workers), real nginx, changes made by
another process, for the file store and the Redis store.

A change is made by a separate Python process (as the newsroom or the scheduler would be), so
these tests prove the purge reaches every worker through the shared store and index, not
through anything held in one process.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from masthead.core.tests.live_redis import REDIS_URL, live_redis
from tests.e2e import server

pytestmark = pytest.mark.e2e


@contextlib.contextmanager
def live_site(data_dir, extra_env=None, demo=True):
    """Like server.running_server, but also yields the environment, so that a second
    process can change the very database the server reads."""
    port = server.free_port()
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(data_dir),
           "MASTHEAD_SITE_URL": f"http://127.0.0.1:{port}", **(extra_env or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with contextlib.ExitStack() as stack:
        db_url = env.get("MASTHEAD_DATABASE_URL", "")
        if db_url.startswith("postgres") and demo:
            env["MASTHEAD_DATABASE_URL"] = stack.enter_context(
                server.fresh_postgres_database(db_url, f"mh_pc_{port}"))
        elif not db_url:
            env["MASTHEAD_DATABASE_URL"] = f"sqlite:///{data_dir}/masthead.sqlite3"
        url = stack.enter_context(server._serve(env, port, demo, 2))
        yield url, env


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as reply:
            return reply.status, reply.headers, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def in_site(env, code: str) -> str:
    """Run Django code against the live site's database in a separate process."""
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], cwd=server.REPO, timeout=120,
                          env={**env, "DJANGO_SETTINGS_MODULE": "masthead.settings"},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def an_article(base, n=0):
    """The path and id of the n-th article linked from the front page (ids are read from the
    app's Surrogate-Key header, which pages served by nginx do not carry)."""
    _, _, front = fetch(base + "/")
    path = re.findall(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', front)[n]
    status, headers, body = fetch(base + path, {"Cookie": "sessionid=bypass"})
    assert headers["Surrogate-Key"], (status, dict(headers), body[-1500:])
    pk = int(re.search(r"\bpage:(\d+)", headers["Surrogate-Key"]).group(1))
    return path, pk


def rename(env, pk, headline):
    in_site(env, f"""
        from masthead.articles import services
        from masthead.articles.models import Article
        article = Article.objects.get(pk={pk})
        article.headline = {headline!r}
        services.save_article(article)
    """)


def assert_fresh_everywhere(url, text, tries=12):
    """Every request (spread over both workers) shows `text`."""
    for _ in range(tries):
        status, _, body = fetch(url)
        assert status == 200 and text in body


@pytest.fixture(scope="module")
def file_site():
    # Outside pytest's private (0700) temp tree: nginx's workers run as an unprivileged user
    # and must reach the page files, as www-data must in a real deployment.
    data_dir = Path(tempfile.mkdtemp(prefix="masthead-pc-e2e-"))
    data_dir.chmod(0o755)
    try:
        with live_site(data_dir) as (url, env):
            yield url, env, data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def test_second_request_is_a_hit_on_every_worker(file_site):
    base, _, _ = file_site
    path, _ = an_article(base)
    assert fetch(base + path)[1]["X-Cache"] == "MISS"
    verdicts = [fetch(base + path)[1]["X-Cache"] for _ in range(12)]
    assert set(verdicts) == {"HIT"}


def test_head_and_conditional_hits_over_real_http(file_site):
    base, _, _ = file_site
    path, _ = an_article(base, 3)
    _, headers, body = fetch(base + path)
    request = urllib.request.Request(base + path, method="HEAD")
    with urllib.request.urlopen(request, timeout=15) as reply:
        assert reply.headers["X-Cache"] == "HIT"
        assert reply.headers["Content-Length"] == str(len(body.encode()))
        assert reply.read() == b""
    status, again, _ = fetch(base + path, {"If-None-Match": headers["ETag"]})
    assert (status, again["X-Cache"]) == (304, "HIT")


def test_edit_by_another_process_shows_on_the_next_request_of_every_worker(file_site):
    base, env, _ = file_site
    path, pk = an_article(base, 1)
    assert_fresh_everywhere(base + path, "")  # stored and hot in both workers
    rename(env, pk, "Edited by another process")
    assert_fresh_everywhere(base + path, "Edited by another process")
    assert_fresh_everywhere(base + "/", "Edited by another process")


def test_scheduled_article_reaches_the_cached_front_page_within_seconds(file_site):
    base, env, _ = file_site
    assert fetch(base + "/")[1]["X-Cache"] in ("HIT", "MISS")
    due = json.loads(in_site(env, """
        import datetime as dt, json
        from django.utils import timezone
        from masthead.articles import services
        from masthead.articles.models import Article
        due = timezone.now() + dt.timedelta(seconds=4)
        services.schedule_article(Article(headline="Comet visible tonight", body="Text."), due)
        print(json.dumps(due.timestamp()))
    """))
    if time.time() < due - 1:  # starting a process can take seconds on a busy machine
        assert "Comet visible tonight" not in fetch(base + "/")[2]
    while time.time() < due + 6:
        if "Comet visible tonight" in fetch(base + "/")[2]:
            break
        time.sleep(0.1)
    seen_after = time.time() - due
    assert 0 <= seen_after < 3.0, seen_after  # the scheduler runs every second


@pytest.fixture(scope="module")
def nginx_front(file_site, tmp_path_factory):
    if shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    base, env, data_dir = file_site
    work = tmp_path_factory.mktemp("nginx")
    port = server.free_port()
    site = subprocess.run(
        [sys.executable, "-m", "masthead", "pagecache", "nginx", "--data-dir", str(data_dir),
         "--listen", f"127.0.0.1:{port}", "--upstream", base.removeprefix("http://")],
        env=env, cwd=server.REPO, capture_output=True, text=True, check=True,
    ).stdout
    (work / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {work}/{kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"worker_processes 1; pid {work}/nginx.pid; error_log {work}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp}\n"
        f"include {work}/site.conf; }}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-p", str(work), "-c", str(work / "nginx.conf"),
                             "-g", "daemon off;"], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url, env
    finally:
        server.stop(proc)


def test_documented_nginx_front_serves_stored_pages_itself(nginx_front):
    front, _ = nginx_front
    path, _ = an_article(front)
    fetch(front + path)
    status, headers, body = fetch(front + path)
    assert (status, headers["X-Cache"]) == (200, "HIT (nginx)")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1" in body
    assert fetch(front + path, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304


def test_documented_nginx_front_sends_bypass_cookies_and_queries_to_the_app(nginx_front):
    front, _ = nginx_front
    path, _ = an_article(front)
    fetch(front + path)
    assert fetch(front + path, {"Cookie": "masthead_commenter=x"})[1]["X-Cache"] == "BYPASS"
    assert fetch(front + path + "?utm_source=x")[1]["X-Cache"] == "BYPASS"
    # Spellings Django reads as a session (issue 15, item 8) never get nginx's stored page.
    for cookie in ("sessionid =x", "a=1;\tsessionid\t=x", "messages =x"):
        assert fetch(front + path, {"Cookie": cookie})[1]["X-Cache"].startswith("BYPASS")


def test_documented_nginx_front_sends_the_app_s_security_headers(nginx_front):
    from masthead.core.security import POLICY

    front, _ = nginx_front
    path, _ = an_article(front)
    fetch(front + path)
    _, headers, _ = fetch(front + path)
    assert headers["X-Cache"] == "HIT (nginx)"
    assert headers["Content-Security-Policy"] == POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_documented_nginx_front_passes_comment_posts_with_their_body_to_the_app(nginx_front):
    front, _ = nginx_front
    _, pk = an_article(front)
    body = urllib.parse.urlencode({"article": pk, "comment": "Body reached the app 7731",
                                   "author": "", "email": ""}).encode()
    request = urllib.request.Request(front + "/comments/post/", data=body, method="POST",
                                     headers={"Origin": front})
    try:
        urllib.request.urlopen(request, timeout=15)
        status, page = 200, ""
    except urllib.error.HTTPError as error:
        status, page = error.code, error.read().decode()
    assert status == 400  # the form is re-rendered with its errors and what was typed
    assert "Body reached the app 7731" in page


def test_documented_nginx_front_is_fresh_on_the_next_request_after_an_edit(nginx_front):
    front, env = nginx_front
    path, pk = an_article(front, 2)
    fetch(front + path)
    assert fetch(front + path)[1]["X-Cache"] == "HIT (nginx)"
    rename(env, pk, "Corrected behind nginx")
    assert_fresh_everywhere(front + path, "Corrected behind nginx", tries=3)


@pytest.fixture(scope="module")
def redis_site(file_site):
    """A second server in Redis mode over the file site's database (loading the demo again
    would double the time of this module)."""
    import redis

    live_redis()  # or skip the Redis-mode tests, saying why
    _, file_env, _ = file_site
    prefix = f"masthead-e2e:{uuid.uuid4().hex}:"
    data_dir = Path(tempfile.mkdtemp(prefix="masthead-pc-e2e-redis-"))
    extra = {"MASTHEAD_DATABASE_URL": file_env["MASTHEAD_DATABASE_URL"],
             "MASTHEAD_CACHE_URL": REDIS_URL, "MASTHEAD_PAGE_CACHE_REDIS_PREFIX": prefix,
             "MASTHEAD_CACHE_KEY_PREFIX": prefix}
    try:
        with live_site(data_dir, extra, demo=False) as (url, env):
            yield url, env, data_dir
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        doomed = list(client.scan_iter(match=prefix + "*", count=1000))
        if doomed:
            client.delete(*doomed)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_redis_store_is_shared_by_the_workers_and_purged_by_another_process(redis_site):
    base, env, data_dir = redis_site
    path, pk = an_article(base)
    fetch(base + path)
    assert {fetch(base + path)[1]["X-Cache"] for _ in range(8)} == {"HIT"}
    assert not (data_dir / "pagecache" / "pages").exists()  # nothing on disk in Redis mode
    rename(env, pk, "Edited with Redis in between")
    assert_fresh_everywhere(base + path, "Edited with Redis in between")
