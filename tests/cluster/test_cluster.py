"""One site on three servers (issue 14): every promise kept across machines, crashes and outages.

The cluster (tests/cluster/cluster.py) is three `masthead serve` processes with their own data
dirs and workers behind nginx, sharing a private PostgreSQL, a private Redis and a media
directory. The tests run in order on one cluster; each states the bound it holds the site to.
"""

from __future__ import annotations

import concurrent.futures
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.cluster.client import Browser, article_state, every_server, login, png
from tests.cluster.cluster import Cluster, missing, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.cluster]

# How long after an acknowledged change its follow-ups (search entry, related list, purges) may
# take at most, even when a server or worker died meanwhile: a dead worker is noticed after
# MASTHEAD_JOBS_DEAD_AFTER (4 s here), the recovery sweep runs every 10 s, a retry waits a few
# seconds more.
FOLLOW_UP_BOUND = 30.0


@pytest.fixture(scope="module")
def cluster():
    reason = missing()
    if reason:
        pytest.skip(reason)
    # Not pytest's tmp_path: its parents are private to root, and PostgreSQL runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="masthead-cluster-"))
    root.chmod(0o755)
    site = Cluster(root)
    try:
        site.start()
        yield site
    finally:
        site.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def editor(cluster):
    done = cluster.masthead("createuser", "cluster-editor", "--role", "editor",
                            "--password-stdin", input="correct horse battery staple\n")
    assert done.returncode == 0, done.stderr
    return "cluster-editor", "correct horse battery staple"


def test_a_login_on_one_server_works_on_the_others(cluster, editor):
    a, b, c = (s.url for s in cluster.servers)
    browser = Browser()
    login(browser, a, editor)
    for base in (a, b, c):
        status, _, body = browser.get(base + "/newsroom/")
        assert status == 200, base
        assert b"cluster-editor" in body or b"Log out" in body


def test_a_comment_form_from_one_server_posts_through_another(cluster):
    a, b, _ = (s.url for s in cluster.servers)
    reader = Browser()
    _, _, front = reader.get(a + "/")
    path = re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', front.decode()).group(1)
    _, _, page = reader.get(a + path)
    html = page.decode()
    html = html[html.index('class="comment-form"'):]  # not the newsletter form's token
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("article", "form_token")}
    time.sleep(3.2)  # the form token's minimum age
    status, headers, _ = reader.post(b + "/comments/post/", {
        **form, "comment_parent": "0", "author": "Ines Crossserver",
        "email": "ines@example.org", "url": "", "comment": "Posted through server B.",
    }, referer=a + path)
    assert status in (302, 303), status


def test_an_image_uploaded_on_one_server_is_served_by_all(cluster, editor):
    a = cluster.servers[0].url
    browser = Browser()
    login(browser, a, editor)
    url = a + "/newsroom/media/"
    status, _, _ = browser.post(url, {"csrfmiddlewaretoken": browser.csrf(url),
                                      "alt": "A blue test card", "caption": "Cluster upload"},
                                files={"file": ("card.png", png(), "image/png")})
    assert status == 302, status
    _, _, library = browser.get(url)
    src = re.search(r'src="(/media/[^"]+)"', library.decode()).group(1)
    for base in every_server(cluster) + [cluster.nginx.url]:
        status, headers, body = Browser().get(base + src)
        assert status == 200, (base, src)
        assert body[:4] in (b"\x89PNG", b"RIFF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1",
                            b"\xff\xd8\xff\xdb")
        assert "max-age" in headers.get("Cache-Control", "")


def _headline_everywhere(cluster, path: str, expected: str | None) -> int:
    """Requests to every server and to nginx; the number of stale answers."""
    stale = 0
    for base in every_server(cluster) + [cluster.nginx.url] * 3:
        status, _, body = Browser().get(base + path)
        if expected is None:
            stale += status != 404
        else:
            stale += status != 200 or expected.encode() not in body
    return stale


def test_edits_unpublishing_and_republishing_are_fresh_on_every_server(cluster):
    pk, path = map(str.strip, cluster.python("""
from masthead.articles.models import Article
a = Article.objects.published().order_by("-published_at")[3]
print(a.pk, a.get_absolute_url())
""").stdout.split())
    for base in every_server(cluster):  # every server has it cached
        Browser().get(base + path)
    stale = 0
    for round_ in range(5):
        headline = f"Cluster edit round {round_} {uuid.uuid4().hex[:6]}"
        cluster.python(f"""
from masthead.articles import services
from masthead.articles.models import Article
a = Article.objects.get(pk={pk}); a.headline = {headline!r}; services.save_article(a)
""", server=cluster.servers[round_ % 3])
        stale += _headline_everywhere(cluster, path, headline)
    cluster.python(f"""
from masthead.articles import services
from masthead.articles.models import Article
services.unpublish_article(Article.objects.get(pk={pk}))
""")
    stale += _headline_everywhere(cluster, path, None)
    cluster.python(f"""
from masthead.articles import services
from masthead.articles.models import Article
services.publish_article(Article.objects.get(pk={pk}))
""", server=cluster.servers[1])
    new_path = article_state(cluster, int(pk))["url"]
    assert new_path == path, "a republished article keeps its URL"
    stale += _headline_everywhere(cluster, path, "Cluster edit round 4")
    assert stale == 0


def test_scheduled_articles_go_live_once_each_on_time_while_a_server_dies(cluster):
    due_in = 12
    done = cluster.python(f"""
import datetime as dt
from django.utils import timezone
from masthead.articles import services
from masthead.articles.models import Article
at = timezone.now() + dt.timedelta(seconds={due_in})
ids = []
for n in range(20):
    a = Article(headline=f"Scheduled cluster story {{n}} zebrafinch", body="Due soon. " * 20,
                section=services.get_or_create_section("World"))
    a = services.save_article(a, authors=[services.get_or_create_author("Sched Uler")])
    services.schedule_article(a, at + dt.timedelta(milliseconds=50 * n))
    ids.append(a.pk)
print(" ".join(map(str, ids)))
""")
    ids = [int(x) for x in done.stdout.split()]
    scheduled_at = time.monotonic()
    time.sleep(due_in / 2)
    cluster.servers[2].kill()  # one machine dies before they are due
    wait_for(lambda: _all_live(cluster, ids), due_in + FOLLOW_UP_BOUND,
             "scheduled articles did not all go live")
    late = time.monotonic() - scheduled_at - due_in - 1.0
    counts = cluster.python(f"""
from masthead.articles.models import Revision
print(" ".join(str(Revision.objects.filter(article_id=pk, note="published on schedule").count())
               for pk in {ids}))
""").stdout.split()
    assert counts == ["1"] * 20, counts  # each announced exactly once
    assert late < 10, f"went live {late:.1f} s late"
    cluster.servers[2].start()


def _all_live(cluster, ids) -> bool:
    out = cluster.python(f"""
from masthead.articles.models import Article
print(Article.objects.filter(pk__in={ids}, status="published").count())
""").stdout.strip()
    return out == str(len(ids))


def test_follow_ups_survive_kill_9_of_a_server_and_of_workers(cluster):
    """Publish while killing; every acknowledged publication gets its search entry, related
    list and page within FOLLOW_UP_BOUND."""
    token = "quokka" + uuid.uuid4().hex[:6]

    def publish(n):
        server = cluster.servers[n % 2]  # a and b; b is killed half-way
        body = _story_body(token, n)
        done = cluster.python(f"""
from masthead.articles import services
from masthead.articles.models import Article
a = Article(headline="Harbour {token} story {n}", standfirst="", body={body!r},
            section=services.get_or_create_section("World"))
a = services.publish_article(services.save_article(a))
print(a.pk)
""", server=server)
        return int(done.stdout.split()[-1])

    acknowledged = [publish(n) for n in range(4)]
    cluster.servers[1].kill()  # a machine dies, its worker with it
    subprocess_kill_workers(cluster.servers[0])  # and server A's worker is killed alone
    cluster.servers[1].start()
    acknowledged += [publish(n) for n in range(4, 8) if n % 2 == 0]
    started = time.monotonic()
    wait_for(lambda: _searchable(cluster, token, acknowledged), FOLLOW_UP_BOUND,
             "search entries missing after the kills")
    try:
        wait_for(lambda: all(article_state(cluster, pk)["related"] > 0 for pk in acknowledged),
                 FOLLOW_UP_BOUND, "related lists missing after the kills")
    except AssertionError:
        print(cluster.masthead("jobs", "list", "--limit", "40").stdout)
        print([article_state(cluster, pk) for pk in acknowledged])
        raise
    print(f"follow-ups complete {time.monotonic() - started:.1f} s after the last publication")
    failed = cluster.masthead("jobs", "list", "--status", "failed", "--json").stdout.strip()
    assert failed == "", failed


WORDS = ("crane dock ferry tide pier cargo berth quay pilot tug gantry container customs "
         "strike union shift wages dredging channel lighthouse breakwater").split()


def _story_body(token: str, n: int) -> str:
    """Distinct reports of one story: the token and the harbour in each, other words varied
    (near-identical texts would be dropped from each other's lists as duplicates)."""
    import random

    rng = random.Random(n)
    sentences = [f"The harbour {token} dispute reached day {n + 2}."]
    for _ in range(12):
        sentences.append(" ".join(rng.sample(WORDS, 7)).capitalize() + ".")
    return " ".join(sentences)


def subprocess_kill_workers(server) -> None:
    import subprocess

    found = subprocess.run(["pgrep", "-f", "masthead worker"], capture_output=True, text=True)
    for pid in found.stdout.split():
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read()
        except OSError:
            continue
        if f"MASTHEAD_DATA_DIR={server.data}".encode() in env:
            subprocess.run(["kill", "-9", pid], check=False)


def _searchable(cluster, token, ids) -> bool:
    """Whether search finds exactly these articles for `token` (the reader's search page asks
    the same function; its HTML highlights the token, so the ids are asked for here)."""
    found = cluster.python(f"""
from masthead.search import services
print(" ".join(str(r.article.pk) for r in services.search({token!r}, size=50).results))
""").stdout.split()
    return sorted(map(int, found)) == sorted(ids)


def test_no_comment_is_lost_or_duplicated_when_a_server_dies_under_load(cluster):
    front = cluster.nginx.url
    reader = Browser()
    _, _, page = reader.get(front + "/")
    path = re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', page.decode()).group(1)
    _, _, html = reader.get(front + path)
    html = html.decode()
    html = html[html.index('class="comment-form"'):]  # not the newsletter form's token
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("article", "form_token")}
    time.sleep(3.2)
    marker = uuid.uuid4().hex[:8]

    def post(n):
        status, _, _ = Browser().post(front + "/comments/post/", {
            **form, "comment_parent": "0", "author": f"Loader {n}",
            "email": f"loader{n}@example.org", "url": "",
            "comment": f"Load comment {marker}-{n} under a dying server.",
        }, referer=front + path)
        return n, status

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(post, n) for n in range(120)]
        time.sleep(0.5)
        cluster.servers[2].kill()
        results = [f.result() for f in futures]
    cluster.servers[2].start()
    acknowledged = {n for n, status in results if status in (302, 303)}
    assert len(acknowledged) > 60, results
    stored = cluster.python(f"""
from collections import Counter
from masthead.comments.models import Comment
bodies = Comment.objects.filter(body__contains="{marker}-").values_list("body", flat=True)
print(" ".join(f"{{k}}:{{v}}" for k, v in Counter(b.split()[2] for b in bodies).items()))
""").stdout.split()
    counts = {int(item.split(":")[0].split("-")[1]): int(item.split(":")[1]) for item in stored}
    assert all(counts.get(n) == 1 for n in acknowledged), "an acknowledged comment was lost"
    assert all(v == 1 for v in counts.values()), "a comment was stored twice"


def test_a_redis_outage_during_an_edit_leaves_no_stale_page(cluster):
    pk, path = map(str.strip, cluster.python("""
from masthead.articles.models import Article
a = Article.objects.published().order_by("-published_at")[5]
print(a.pk, a.get_absolute_url())
""").stdout.split())
    for base in every_server(cluster):
        Browser().get(base + path)
    cluster.redis.stop()
    headline = f"Edited while Redis was down {uuid.uuid4().hex[:6]}"
    cluster.python(f"""
from masthead.articles import services
from masthead.articles.models import Article
a = Article.objects.get(pk={pk}); a.headline = {headline!r}; services.save_article(a)
""")
    time.sleep(10)
    cluster.redis.start()
    wait_for(lambda: _headline_everywhere(cluster, path, headline) == 0, FOLLOW_UP_BOUND,
             "a page was still stale after Redis came back")


def test_a_postgresql_restart_is_survived_without_manual_action(cluster):
    cluster.pg.restart()
    wait_for(lambda: all(Browser().get(base + "/healthz")[0] == 200
                         for base in every_server(cluster)), 30,
             "servers did not recover after the database restart")
    token = "restart" + uuid.uuid4().hex[:6]
    cluster.python(f"""
from masthead.articles import services
from masthead.articles.models import Article
a = Article(headline="After the restart {token}", body="Still publishing {token}. " * 20)
services.publish_article(services.save_article(a))
""")
    wait_for(lambda: _searchable_one(cluster, token) and _queue_drained(cluster),
             FOLLOW_UP_BOUND, "the workers did not resume after the database restart")


def _queue_drained(cluster) -> bool:
    """No job is due and waiting, none is running: the workers are taking jobs."""
    out = cluster.python("""
from masthead.jobs import reporting
print(reporting.oldest_waiting_age() is None and reporting.counts()["running"] == 0)
""").stdout.split()[-1]
    return out == "True"


def _searchable_one(cluster, token) -> bool:
    status, _, body = Browser().get(cluster.nginx.url + f"/search/?q={token}")
    return status == 200 and b"After the restart" in body
