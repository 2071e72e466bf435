"""The article page's comment block gives the same bytes as the former ORM + template version.

The block reads its comments with one hand-written SQL statement and builds the list's markup
in Python (`display.py`, `listing.py`; issue 7). The reference here is the former code, kept
independent of the new one: full ORM rows, `core/dates.format_date`, the former text rendering
(Django's `escape`, line by line), a recursive threading, and the former templates
(`data/former_block.html`, `data/former_form.html`), rendered by the same Jinja2 environment.
Random threads (seeded) mix every status, hostile names, websites and bodies, replies to missing
parents, equal timestamps, staff replies, several time zones and depth limits; each is shown
plainly, with the commenter cookie, with `?replytocom=`, closed, and after a refused post.
Runs on SQLite and PostgreSQL (MASTHEAD_DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import zoneinfo
from pathlib import Path

import jinja2
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape as django_escape
from markupsafe import Markup
from markupsafe import escape as markup_escape

from masthead.comments import display, listing, rendering, tokens
from masthead.comments.blocks import block_context
from masthead.comments.models import Comment
from masthead.core.dates import format_date

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
NAMES = ["Ada", "O'Brien", 'Say "hi"', "<b>bold</b>", "Tom & Jerry", "", " ", "élodie", "李雷",
         "١٢ digits", "ßtraße", "Ann\u202eevil", "{{ x }}", "-dash"]
URLS = ["", "", "https://ex.org/a?b=1&c=2", 'https://ex.org/"onmouseover=x',
        "http://x.test/<y>", "https://ex.org/it's"]
PIECES = ["plain words here", "a & b < c > d", "quote \"x\" and 'y'", "line one\nline two",
          "para\n\n  \npara two", "\r\nwindows\r\nlines\r\n", "see https://example.org/p_(x)).",
          "HTTPS://EXAMPLE.ORG/UP,", "http://", "x://y", "https://", "   ", "",
          "two http://a.test/1 and https://b.test/2?x=<y>&z='q'", "ftp://not-a-link",
          "emoji 🎉 and \u00a0nbsp", "tab\tseparated\n\t\n\tnext", "&amp; already escaped",
          "<script>alert(1)</script>", "http://ex.org/\"><b>", "(see http://w.test/a_(b))",
          "\u2028sep\u0085next\x1cfs"]
ZONES = ["UTC", "Europe/Paris", "America/St_Johns", "Asia/Kathmandu"]
PENDING = Comment.Status.PENDING


# The former code: the reference -------------------------------------------------------------

_URL = re.compile(r"\bhttps?://[^\s<>\"'`]{1,2000}", re.IGNORECASE)


def former_linkify_line(line: str) -> str:
    out, pos = [], 0
    for match in _URL.finditer(line):
        url = match.group(0)
        while url and url[-1] in ".,;:!?)]}'\"":
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        rest = match.group(0)[len(url):]
        out.append(django_escape(line[pos:match.start()]))
        if len(url) > len("https://"):
            out.append(f'<a href="{django_escape(url)}" rel="nofollow ugc noopener">'
                       f'{django_escape(url)}</a>')
        else:
            out.append(django_escape(url))
        out.append(django_escape(rest))
        pos = match.end()
    out.append(django_escape(line[pos:]))
    return "".join(out)


def former_render_body(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    return "\n".join(
        "<p>" + "<br>".join(former_linkify_line(line) for line in block.strip("\n").split("\n"))
        + "</p>" for block in re.split(r"\n\s*\n", text))


def former_thread(comments) -> list:
    """Depth first, siblings in the order given; a reply to a comment not shown is top level."""
    shown = {c.pk for c in comments}
    ordered = []

    def walk(parent, depth):
        for c in comments:
            if (c.parent_id if c.parent_id in shown else None) == parent:
                c.thread_depth = depth
                ordered.append(c)
                walk(c.pk, depth + 1)
    walk(None, 0)
    return ordered


def former_block(context: dict, article) -> tuple[str, dict]:
    request = context["request"]
    approved = list(Comment.objects.for_article_page(article))
    own, flags = [], {}
    ids = tokens.pending_ids(request)
    if ids:
        waiting = list(Comment.objects.filter(pk__in=ids, status__in=[PENDING, "spam"]))
        flags["stale"] = not waiting
        own = [c for c in waiting if c.article_id == article.pk]
        for c in own:
            c.awaiting_moderation = True
        flags["personalised"] = bool(own)
    limit = max(1, settings.MASTHEAD_COMMENTS_MAX_DEPTH)
    value = request.GET.get("replytocom", "")
    reply_to = next((c for c in approved if value.isdigit() and c.pk == int(value)
                     and c.depth + 1 < limit), None)
    comments = former_thread(approved + own)
    for c in comments:
        c.created_iso = format_date(c.created_at, "c")
        c.created_text = format_date(c.created_at, "j M Y, H:i")
        c.avatar_hue = int(hashlib.sha256(c.author_name.encode("utf-8", "replace"))
                           .hexdigest()[:4], 16) % 360
        c.avatar_initial = next((ch.upper() for ch in c.author_name if ch.isalnum()), "?")
        c.body_html = Markup(former_render_body(c.body))
    values = dict(context.get("comment_form_values") or {})
    token = values.get("form_token", "")
    if not token or tokens.read_form_token(token) is None:
        token = tokens.issue_form_token(article.pk)
    from masthead.comments.posting import comments_open
    data = {
        "article": article, "open": comments_open(article), "form_values": values,
        "form_errors": context.get("comment_form_errors") or {},
        "form_message": context.get("comment_form_message", ""), "form_token": token,
        "form_issued_at": tokens.read_form_token(token).issued_at,
        "parent_id": values.get("comment_parent") or (reply_to.pk if reply_to else 0),
        "reply_to": reply_to, "comments": comments, "comment_count": len(approved),
        "max_reply_depth": limit - 1, "feed_url": f"/comments/feed/{article.pk}/",
    }
    env = engines["jinja2"].env
    former = env.overlay(loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(DATA), env.loader]))
    return former.get_template("former_block.html").render(data), flags


# Random threads -----------------------------------------------------------------------------

def random_thread(rnd: random.Random, article, staff) -> list[Comment]:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        days=rnd.randrange(600), hours=rnd.randrange(24))  # any day, any local date
    made: list[Comment] = []
    for _ in range(rnd.choice([0, 1, 3, 8, 25])):
        parent = rnd.choice(made) if made and rnd.random() < 0.5 else None
        depth = (parent.depth + 1) if parent else 0
        if rnd.random() < 0.1:
            depth = rnd.randrange(7)  # stored depth that disagrees with the thread
        # Few distinct minutes: equal times, where the id decides the order, are common.
        when = start + dt.timedelta(minutes=rnd.randrange(12),
                                    microseconds=rnd.choice([0, 0, rnd.randrange(1, 10**6)]))
        body = rnd.choice([" ", "\n", "\n\n", " \n \n"]).join(
            rnd.choice(PIECES) for _ in range(rnd.randrange(1, 4)))
        made.append(Comment.objects.create(
            article=article, parent=parent, depth=depth, author_name=rnd.choice(NAMES),
            author_url=rnd.choice(URLS), body=body, created_at=when,
            status=rnd.choices(["approved", "pending", "spam", "trash"], [6, 2, 1, 1])[0],
            user=staff if rnd.random() < 0.15 else None))
    return made


def pending_cookie(ids) -> str:
    return signing.get_cookie_signer(salt=tokens.PENDING_COOKIE + tokens.PENDING_COOKIE_SALT) \
        .sign(",".join(str(i) for i in ids))


def variants(rnd: random.Random, made, other):
    """(query string, cookie ids or None, extra context) for one thread."""
    pks = [c.pk for c in made] or [1]
    yield "", None, {}
    yield f"?replytocom={rnd.choice(pks)}", None, {}
    yield "?replytocom=" + rnd.choice(["abc", "", "999999", "-1", str(rnd.choice(pks))]), None, {}
    held = [c.pk for c in made if c.status in (PENDING, "spam")]
    yield "", rnd.sample(pks, min(3, len(pks))) + held[:2], {}
    yield "", [other.pk], {}  # a held comment of another article only
    yield "", [999999], {}  # nothing held any more: the cookie is stale
    form = {"author": 'x"<y>', "email": "a@b.example", "url": "", "notify": rnd.random() < 0.5,
            "comment": "text & <b>", "comment_parent": rnd.choice(["", "0", str(pks[0])]),
            "form_token": rnd.choice(["forged", tokens.issue_form_token(other.article_id)])}
    yield "", None, {"comment_form_values": form, "comment_form_message": "Refused <now>",
                     "comment_form_errors": rnd.choice([{}, {"comment": "Too <long>",
                                                             "email": "bad", "url": "no",
                                                             "author": "x",
                                                             "comment_parent": "gone"}])}


@pytest.fixture
def fixed_tokens(monkeypatch):
    monkeypatch.setattr(tokens, "now", lambda: 1_790_000_000.0)
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n=None: "NONCE")


def new_block(context: dict, article) -> str:
    env = engines["jinja2"].env
    return str(env.globals["comments_block"](env.from_string("").new_context(context), article))


@pytest.mark.parametrize("seed", range(16))
def test_block_is_byte_identical_to_the_former_rendering(seed, make_article, fixed_tokens,
                                                        settings):
    rnd = random.Random(seed)
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = rnd.choice([1, 2, 3, 5])
    staff = get_user_model().objects.create_user(f"staff{seed}", password="x" * 12)
    closed = rnd.choice(["open", "disabled", "old"])
    if closed == "old":
        settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = 30
    article = make_article(
        comments_enabled=closed != "disabled",
        published_at=timezone.now() - dt.timedelta(days=90 if closed == "old" else 1))
    other = Comment.objects.create(article=make_article(), author_name="Elsewhere", body="x",
                                   status=PENDING)
    made = random_thread(rnd, article, staff)
    with timezone.override(rnd.choice(ZONES)):
        for query, cookie_ids, extra in variants(rnd, made, other):
            pair = []
            for _ in range(2):
                request = RequestFactory().get("/story/" + query)
                if cookie_ids is not None:
                    request.COOKIES[tokens.PENDING_COOKIE] = pending_cookie(cookie_ids)
                pair.append({"request": request, **extra})
            expected, flags = former_block(pair[0], article)
            assert new_block(pair[1], article) == expected, (query, cookie_ids)
            new_request = pair[1]["request"]
            assert getattr(new_request, "comments_pending_cookie_stale", False) \
                == flags.get("stale", False)
            assert getattr(new_request, "comments_personalised", False) \
                == flags.get("personalised", False)


def test_block_reads_comments_in_one_query_whatever_the_thread(article, fixed_tokens,
                                                               django_assert_num_queries):
    for count in (0, 3, 40):
        while Comment.objects.filter(article=article, status="approved").count() < count:
            Comment.objects.create(article=article, author_name="A", body="b", status="approved")
        mine = Comment.objects.create(article=article, author_name="Me", body="b", status=PENDING)
        for cookie in (None, [mine.pk, 999999]):
            request = RequestFactory().get("/story/?replytocom=1")
            if cookie:
                request.COOKIES[tokens.PENDING_COOKIE] = pending_cookie(cookie)
            with django_assert_num_queries(1):
                html = new_block({"request": request}, article)
            assert html.count('class="comment ') == count + (1 if cookie else 0)


def test_a_digit_that_is_not_a_number_is_no_reply_target(article, fixed_tokens):
    Comment.objects.create(article=article, author_name="A", body="b", status="approved")
    data = block_context({"request": RequestFactory().get("/story/?replytocom=²")}, article)
    assert data["reply_to"] is None  # the former code raised ValueError: a 500


@pytest.mark.parametrize("seed", range(200))
def test_text_renders_as_before(seed):
    rnd = random.Random(seed)
    text = rnd.choice(["", " ", "\n", "\r\n", "\n\n"]).join(
        rnd.choice(PIECES + NAMES + URLS) for _ in range(rnd.randrange(0, 6)))
    assert str(rendering.render_body(text)) == former_render_body(text)
    assert listing.esc(text) == str(markup_escape(text))


@pytest.mark.parametrize("zone", [dt.UTC, dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
                                  zoneinfo.ZoneInfo("Europe/Paris")])
@pytest.mark.parametrize("stored", ["2026-03-29 01:30:00", "2026-03-29 01:30:00.000250",
                                    "2026-03-29 01:30:00+02:00"])
def test_stored_times_are_read_as_django_reads_them(zone, stored):
    """SQLite's text (in the connection's zone) and PostgreSQL's datetimes, as the ORM makes them."""
    expected = parse_datetime(stored)
    if timezone.is_naive(expected):
        expected = timezone.make_aware(expected, zone)
    read = display._parser(zone)
    assert read(stored) == expected and read(stored).utcoffset() == expected.utcoffset()
    assert read(parse_datetime(stored)) == expected


def test_form_urls_follow_changed_settings(article, settings):
    """The form's action and asset URLs are kept per process; a settings change drops them."""
    assert 'href="/static/comments/comments' in new_block({"request": None}, article)
    settings.STATIC_URL = "/assets/"
    html = new_block({"request": None}, article)
    assert 'href="/assets/comments/comments' in html and 'action="/comments/post/"' in html
