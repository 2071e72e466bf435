"""Every role × every newsroom action, as one table (issue 5, point 1).

404 = the article is someone else's and this role may not even know it exists;
403 = the user can see it (or the page exists) but may not do this; 400 = the editor form
refuses a value this role may not set (a byline: see policy.py); 302 = done, redirected.
A refused write must leave the article exactly as it was, and create none.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.articles.models import Article, Author

from .conftest import editor_post

ROLES = ("contributor", "author", "editor", "admin")


def _future() -> str:
    return (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")


# action → (what it does, target article, whether it writes, {role: expected status})
TABLE = {
    "open the dashboard": (lambda c, a: c.get("/newsroom/"), None, False,
                           dict(contributor=200, author=200, editor=200, admin=200)),
    "open the article list": (lambda c, a: c.get("/newsroom/articles/"), None, False,
                              dict(contributor=200, author=200, editor=200, admin=200)),
    "open a new article": (lambda c, a: c.get("/newsroom/articles/new/"), None, False,
                           dict(contributor=200, author=200, editor=200, admin=200)),
    "open own draft": (lambda c, a: c.get(f"/newsroom/articles/{a.pk}/"), "own_draft", False,
                       dict(contributor=200, author=200, editor=200, admin=200)),
    "open another's draft": (lambda c, a: c.get(f"/newsroom/articles/{a.pk}/"), "other_draft",
                             False, dict(contributor=404, author=404, editor=200, admin=200)),
    "save own draft": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/", editor_post(a, headline="Changed")),
        "own_draft", True, dict(contributor=302, author=302, editor=302, admin=302)),
    "save another's draft": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/", editor_post(a, headline="Changed")),
        "other_draft", True, dict(contributor=404, author=404, editor=302, admin=302)),
    "send own draft for review": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/", editor_post(a, action="review")),
        "own_draft", True, dict(contributor=302, author=302, editor=302, admin=302)),
    "publish own draft": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/", editor_post(a, action="publish")),
        "own_draft", True, dict(contributor=403, author=302, editor=302, admin=302)),
    "schedule own draft": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/",
                            editor_post(a, action="schedule", publish_at=_future())),
        "own_draft", True, dict(contributor=403, author=302, editor=302, admin=302)),
    "publish another's draft": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/", editor_post(a, action="publish")),
        "other_draft", True, dict(contributor=404, author=404, editor=302, admin=302)),
    "publish another's draft in review": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/", editor_post(a, action="publish")),
        "other_review", True, dict(contributor=404, author=404, editor=302, admin=302)),
    "edit own published article": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/", editor_post(a, headline="Changed")),
        "own_published", True, dict(contributor=403, author=302, editor=302, admin=302)),
    "unpublish own published article": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/unpublish/"),
        "own_published", True, dict(contributor=403, author=302, editor=302, admin=302)),
    "unpublish another's published article": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/unpublish/"),
        "other_published", True, dict(contributor=404, author=404, editor=302, admin=302)),
    "publish a new article under another's byline": (
        lambda c, a: c.post("/newsroom/articles/new/",
                            editor_post(author=_author("the-editor"), action="publish")),
        None, True, dict(contributor=400, author=400, editor=302, admin=302)),
    "save a new article under another's byline": (
        lambda c, a: c.post("/newsroom/articles/new/", editor_post(author=_author("someone-else"))),
        None, True, dict(contributor=400, author=400, editor=302, admin=302)),
    "credit a co-author on own draft": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/",
                            editor_post(a, coauthors=[str(_author("someone-else").pk)])),
        "own_draft", True, dict(contributor=302, author=302, editor=302, admin=302)),
    "give own draft another's lead byline": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/",
                            editor_post(a, author=_author("someone-else"))),
        "own_draft", True, dict(contributor=400, author=400, editor=302, admin=302)),
    "take the lead byline of a shared draft": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/",
                            editor_post(a, author=_author_of(c))),
        "shared_draft", True, dict(contributor=400, author=400, editor=302, admin=302)),
    "edit a shared draft keeping its byline": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/",
                            editor_post(a, headline="Changed", coauthors=[
                                str(x.pk) for x in a.byline_authors[1:]])),
        "shared_draft", True, dict(contributor=302, author=302, editor=302, admin=302)),
    "revoke own draft's preview links": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/preview-links/revoke/"), "own_draft",
        False, dict(contributor=302, author=302, editor=302, admin=302)),
    "revoke another's draft's preview links": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/preview-links/revoke/"), "other_draft",
        False, dict(contributor=404, author=404, editor=302, admin=302)),
    "view another's draft history": (
        lambda c, a: c.get(f"/newsroom/articles/{a.pk}/revisions/"), "other_draft", False,
        dict(contributor=404, author=404, editor=200, admin=200)),
    "restore another's draft revision": (
        lambda c, a: c.post(f"/newsroom/articles/{a.pk}/revisions/"
                            f"{a.revisions.last().pk}/restore/"),
        "other_draft", True, dict(contributor=404, author=404, editor=302, admin=302)),
    "pick a lead image for another's draft": (
        lambda c, a: c.get(f"/newsroom/media/?pick={a.pk}"), "other_draft", False,
        dict(contributor=404, author=404, editor=200, admin=200)),
    "open the media library": (lambda c, a: c.get("/newsroom/media/"), None, False,
                               dict(contributor=200, author=200, editor=200, admin=200)),
    "render a Markdown preview": (
        lambda c, a: c.post("/newsroom/markdown-preview/", {"body": "## Hi"}), None, False,
        dict(contributor=200, author=200, editor=200, admin=200)),
    "manage users": (lambda c, a: c.get("/newsroom/users/"), None, False,
                     dict(contributor=403, author=403, editor=403, admin=200)),
    "create a user": (
        lambda c, a: c.post("/newsroom/users/new/", {"username": "newbie", "role": "author"}),
        None, False, dict(contributor=403, author=403, editor=403, admin=200)),
    "manage sections": (lambda c, a: c.get("/newsroom/sections/"), None, False,
                        dict(contributor=403, author=403, editor=403, admin=200)),
    "create a section": (lambda c, a: c.post("/newsroom/sections/", {"name": "Opinion"}),
                         None, False, dict(contributor=403, author=403, editor=403, admin=302)),
}

CASES = [
    pytest.param(role, action, id=f"{role}-{action}")
    for action in TABLE for role in ROLES
]


@pytest.fixture
def world(make_user, make_owned):
    """The acting user per role, plus articles owned by them and by another author."""
    other = make_user("author", "someone-else")
    editor = make_user("editor", "the-editor")

    def for_role(role, targets=None):
        actor = make_user(role)
        makers = {
            "own_draft": lambda: make_owned(actor),
            "other_draft": lambda: make_owned(other),
            "other_review": lambda: make_owned(other, status="review"),
            "own_published": lambda: _published_for(actor, editor, make_owned),
            "other_published": lambda: make_owned(other, status="published"),
            "shared_draft": lambda: _shared(other, actor, make_owned),
        }
        return actor, {name: makers[name]() for name in (makers if targets is None else targets)}
    return for_role


def _author(username: str) -> Author:
    return Author.objects.get(user__username=username)


def _author_of(client) -> Author:
    return Author.objects.get(user_id=client.session["_auth_user_id"])


def _shared(lead_user, coauthor_user, make_owned):
    """Another writer's draft with the acting user credited as co-author."""
    from masthead.articles.services import save_article
    from masthead.newsroom.services import author_for

    article = make_owned(lead_user)
    save_article(article, user=lead_user,
                 authors=[author_for(lead_user), author_for(coauthor_user)])
    return article


def _published_for(actor, editor, make_owned):
    # A contributor cannot publish, so their published article went live through an editor.
    from masthead.articles.services import publish_article

    article = make_owned(actor)
    publish_article(article, user=editor)
    return article


@pytest.mark.parametrize(("role", "action"), CASES)
def test_role_may_or_may_not_take_action(world, client_for, role, action):
    do, target, writes, expected = TABLE[action]
    actor, owned = world(role, [target] if target else [])
    article = owned[target] if target else None
    before, articles_before = _state(article), Article.objects.count()
    response = do(client_for(actor), article)
    assert response.status_code == expected[role], (
        f"{role} / {action}: got {response.status_code}"
    )
    if writes and expected[role] in (400, 403, 404):
        assert _state(article) == before, "a refused action changed the article"
        assert Article.objects.count() == articles_before, "a refused action created one"


def _state(article):
    if article is None:
        return None
    fresh = Article.objects.get(pk=article.pk)
    return (fresh.headline, fresh.status, fresh.published_at, fresh.revisions.count(),
            [a.pk for a in fresh.byline_authors])


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    for path in ("/newsroom/", "/newsroom/articles/", "/newsroom/articles/new/",
                 "/newsroom/media/", "/newsroom/users/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/newsroom/login/?next=")


def test_user_without_a_newsroom_role_gets_403(db, client):
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.create_user("reader", password="x" * 12)
    client.force_login(reader)
    assert client.get("/newsroom/").status_code == 403


def test_author_article_list_does_not_reveal_anothers_drafts(world, client_for):
    actor, owned = world("author")
    html = client_for(actor).get("/newsroom/articles/").content.decode()
    assert owned["own_draft"].headline in html
    assert owned["other_draft"].headline not in html
    assert owned["other_published"].headline not in html


def test_editor_article_list_shows_everyones_drafts(world, client_for, make_user):
    actor, owned = world("editor")
    html = client_for(actor).get("/newsroom/articles/").content.decode()
    assert owned["other_draft"].headline in html


def test_co_author_can_open_and_edit_a_shared_draft(make_user, make_owned, client_for):
    from masthead.newsroom.services import author_for

    writer, colleague = make_user("author"), make_user("author")
    article = make_owned(writer)
    client = client_for(writer)
    data = editor_post(article, coauthors=[str(author_for(colleague).pk)])
    assert client.post(f"/newsroom/articles/{article.pk}/", data).status_code == 302
    assert client_for(colleague).get(f"/newsroom/articles/{article.pk}/").status_code == 200


def test_newsroom_pages_are_never_cached(world, client_for):
    actor, owned = world("editor", ["own_draft"])
    response = client_for(actor).get(f"/newsroom/articles/{owned['own_draft'].pk}/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_editor_role_can_pin_related_articles_if_that_permission_exists(make_user):
    from django.contrib.auth.models import Permission

    editor, author = make_user("editor"), make_user("author")
    if not Permission.objects.filter(codename="pin_related").exists():
        pytest.skip("recommendations.pin_related is not defined yet (recommendations app)")
    assert editor.has_perm("recommendations.pin_related")
    assert not author.has_perm("recommendations.pin_related")


@pytest.mark.parametrize(("role", "moderates"), [
    ("contributor", False), ("author", False), ("editor", True), ("admin", True)])
def test_only_moderators_get_the_comment_queue_on_the_dashboard(make_user, client_for, role,
                                                                 moderates):
    html = client_for(make_user(role)).get("/newsroom/").content.decode()
    assert ('href="/newsroom/comments/"' in html) is moderates


def test_byline_rule_holds_for_callers_other_than_the_editor_form(make_user):
    """services.save is what every caller goes through, so the rule is enforced there too."""
    from django.core.exceptions import PermissionDenied

    from masthead.newsroom import services

    author, editor = make_user("author"), make_user("editor")
    article = Article(headline="Under a borrowed name", body="Text.")
    with pytest.raises(PermissionDenied, match="another person's name"):
        services.save(author, article, {"headline": article.headline, "body": article.body,
                                        "authors": [services.author_for(editor)]})
    assert not Article.objects.filter(headline="Under a borrowed name").exists()


def test_editor_form_offers_a_writer_only_the_bylines_they_may_set(make_user, make_owned,
                                                                   client_for):
    from masthead.newsroom.services import author_for

    writer, editor = make_user("author"), make_user("editor")
    html = client_for(writer).get("/newsroom/articles/new/").content.decode()
    lead_select = html.split('name="lead_author"', 1)[1].split("</select>", 1)[0]
    assert f'value="{author_for(writer).pk}"' in lead_select
    assert f'value="{author_for(editor).pk}"' not in lead_select
    html = client_for(editor).get("/newsroom/articles/new/").content.decode()
    lead_select = html.split('name="lead_author"', 1)[1].split("</select>", 1)[0]
    assert f'value="{author_for(writer).pk}"' in lead_select
