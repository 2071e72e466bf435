"""Hostile input into every form field and every query parameter: never a 500, nothing
stored on a refusal, nothing live in the HTML that comes back (issue 15, security suite).

Values come from the corpus (tests/security/corpus.py) and from Hypothesis. The forms are
every form a reader or staff member can submit: Leave a Reply, the newsroom login, the article
editor, the live preview and tag suggestions, new staff account, section, comment moderation
(edit, reply, bulk). Query parameters are every one a view reads, sent to every page type.
A stored value is then looked for on the pages that show it, for live markup.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from masthead.articles.models import Article, Author, Revision, Section, Tag
from masthead.comments import tokens
from masthead.comments.models import Comment
from masthead.newsroom.services import author_for
from masthead.newsroom.staff import create_staff_user

from .corpus import CORPUS
from .outputs import live_markup

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

VALUES = st.one_of(st.sampled_from(CORPUS), st.text(max_size=40),
                   st.text(st.characters(codec="latin-1"), max_size=10))
# Few examples per field (41 fields, each example renders the pages that show the result);
# the corpus is sampled afresh on every run, so CI covers it over time.
FIELD_RUNS = settings(max_examples=10, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.reuse, Phase.generate],
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])
QUICK = settings(max_examples=25, deadline=None, database=None,
                 phases=[Phase.explicit, Phase.reuse, Phase.generate],
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
MODELS = (Article, Author, Comment, Revision, Section, Tag, get_user_model())


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def world(db, make_article, settings):
    """A published article with an approved comment, an admin client and a reader client."""
    settings.MASTHEAD_COMMENTS_RATE_PER_MINUTE = 10**6
    admin, _ = create_staff_user("sec-admin", "admin", password="a long enough password 1")
    staff = Client()
    staff.force_login(admin)
    article = make_article("Harbour bridge opens", tags=("Bridges",), section="Local")
    comment = Comment.objects.create(article=article, author_name="Earlier Reader",
                                     body="First!", status="approved")
    pending = Comment.objects.create(article=article, author_name="Held Reader",
                                     body="Held.", status="pending")
    section = Section.objects.get(slug="local")
    return {"article": article, "comment": comment, "pending": pending, "staff": staff,
            "reader": Client(), "author": author_for(admin), "section": section}


def comment_form(w):
    a = w["article"]
    return "reader", "/comments/post/", {
        "author": "Ada Reader", "email": "ada@example.org", "url": "", "comment": "Fine.",
        "comment_parent": "0", "article": str(a.pk), "leave_this_empty": "",
        "form_token": tokens.issue_form_token(a.pk, issued_at=time.time() - 30)}


def login_form(w):
    return "reader", "/newsroom/login/", {"username": "sec-admin", "password": "wrong"}


def editor_form(w):
    return "staff", "/newsroom/articles/new/", {
        "headline": "A headline", "slug": "", "standfirst": "", "body": "Body.",
        "section": str(w["section"].pk), "tags": "Bridges", "lead_image": "",
        "lead_image_alt": "", "lead_image_caption": "", "comments_enabled": "on",
        "publish_at": "", "version": "", "action": "publish", "kind": "article",
        "lead_author": str(w["author"].pk), "coauthors": "", "featured": ""}


def preview_form(w):
    return "staff", "/newsroom/markdown-preview/", {"body": "Some *text*."}


def user_form(w):
    return "staff", "/newsroom/users/new/", {"username": "newbie", "display_name": "New Bie",
                                             "role": "author", "password": ""}


def section_form(w):
    return "staff", f"/newsroom/sections/{w['section'].pk}/", {
        "name": "Local", "slug": "local", "description": "Near home."}


def moderation_edit_form(w):
    return "staff", f"/newsroom/comments/{w['comment'].pk}/edit/", {
        "author": "Earlier Reader", "url": "", "comment": "First!", "status": "approved"}


def moderation_reply_form(w):
    return "staff", f"/newsroom/comments/{w['comment'].pk}/reply/", {"comment": "Thanks."}


def moderation_bulk_form(w):
    return "staff", "/newsroom/comments/bulk/", {"action": "approve",
                                                 "ids": str(w["pending"].pk), "next": ""}


FORMS = [comment_form, login_form, editor_form, preview_form, user_form, section_form,
         moderation_edit_form, moderation_reply_form, moderation_bulk_form]
FIELDS = {
    comment_form: ["author", "email", "url", "comment", "comment_parent", "article",
                   "form_token", "leave_this_empty"],
    login_form: ["username", "password"],
    editor_form: ["headline", "slug", "standfirst", "body", "section", "tags", "lead_image",
                  "lead_image_alt", "lead_image_caption", "publish_at", "version", "action",
                  "kind", "lead_author", "coauthors"],
    preview_form: ["body"],
    user_form: ["username", "display_name", "role", "password"],
    section_form: ["name", "slug", "description"],
    moderation_edit_form: ["author", "url", "comment", "status"],
    moderation_reply_form: ["comment"],
    moderation_bulk_form: ["action", "ids", "next"],
}


def _shown_pages(w) -> list[str]:
    """Pages that show what a form could have stored."""
    paths = ["/", w["article"].get_absolute_url(), "/newsroom/articles/", "/newsroom/comments/",
             "/newsroom/comments/?status=approved", "/newsroom/users/", "/newsroom/sections/"]
    newest = Article.objects.order_by("-pk").first()
    if newest.pk != w["article"].pk:
        paths += [f"/newsroom/articles/{newest.pk}/"]
        if newest.is_visible:
            paths.append(newest.get_absolute_url())
    return paths


@pytest.mark.parametrize("form,field", [(f, x) for f, fs in FIELDS.items() for x in fs],
                         ids=lambda v: getattr(v, "__name__", v))
@FIELD_RUNS
@given(value=VALUES)
def test_hostile_form_field_is_refused_cleanly_or_stored_harmlessly(world, form, field, value):
    who, url, data = form(world)
    client = world[who]
    data[field] = value
    before = counts()
    response = client.post(url, data, HTTP_ORIGIN="http://testserver")
    assert response.status_code < 500, (url, field, value)
    if response.status_code >= 400 and form is not login_form:
        assert counts() == before, f"{url} refused {field}={value!r} but stored rows"
    if "html" in response.get("Content-Type", ""):
        assert live_markup(response.content.decode()) == []
    if response.status_code >= 400:
        return
    for path in _shown_pages(world):
        page = (world["staff"] if path.startswith("/newsroom/") else world["reader"]).get(path)
        assert page.status_code < 500, path
        if page.status_code == 200:
            assert live_markup(page.content.decode()) == [], (path, field, value)


PARAMS = ["page", "q", "replytocom", "comment", "type", "section", "tag", "author", "from",
          "to", "per_page", "sort", "status", "pick", "article", "lead_image", "next"]


def _reader_paths(w) -> list[str]:
    a = w["article"]
    return ["/", a.get_absolute_url(), "/section/local/", "/tag/bridges/",
            f"/author/{a.byline_authors[0].slug}/", "/search/", "/feed/", "/feed/atom/",
            "/feed.json", "/sitemap.xml", "/news-sitemap.xml", "/comments/feed/",
            f"/comments/token/{a.pk}/", "/api/v1/articles/", f"/api/v1/articles/{a.pk}/",
            "/api/v1/tags/", "/api/v1/authors/", "/api/v1/sections/", "/api/v1/search/",
            "/no-such-page/"]


STAFF_PATHS = ["/newsroom/", "/newsroom/articles/", "/newsroom/comments/", "/newsroom/tags/",
               "/newsroom/media/", "/newsroom/users/", "/newsroom/sections/",
               "/newsroom/articles/new/", "/newsroom/login/"]


@QUICK
@given(params=st.dictionaries(st.sampled_from(PARAMS), VALUES, min_size=1, max_size=3))
def test_hostile_query_parameters_never_break_a_page(world, params):
    before = counts()
    for client, paths in ((world["reader"], _reader_paths(world)),
                          (world["staff"], STAFF_PATHS)):
        for path in paths:
            response = client.get(path, params)
            assert response.status_code < 500, (path, params)
            if "html" in response.get("Content-Type", "") and response.status_code == 200:
                assert live_markup(response.content.decode()) == [], (path, params)
    assert counts() == before, "a GET stored something"
