"""Draft → review → scheduled/published → unpublished, through the newsroom (issue 5, point 3).

The clock is frozen by patching `django.utils.timezone.now`; the scheduler job is the real
`publish_due_articles`.
"""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from masthead.articles import signals
from masthead.articles.models import Article, Revision
from masthead.articles.services import publish_due_articles
from masthead.newsroom.services import author_for

from .conftest import editor_post


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture
def editor(make_user):
    return make_user("editor")


@pytest.fixture
def scheduled(editor, client_for):
    """An article scheduled through the editor for two hours from now."""
    when = (timezone.now() + dt.timedelta(hours=2)).replace(microsecond=0)
    data = editor_post(author=author_for(editor), headline="Council votes on the budget",
                       action="schedule", publish_at=_local(when))
    response = client_for(editor).post("/newsroom/articles/new/", data)
    assert response.status_code == 302, response.content[:500]
    return Article.objects.get(headline="Council votes on the budget"), when


def test_scheduled_article_is_invisible_until_its_time(scheduled, client):
    article, when = scheduled
    assert article.status == Article.Status.SCHEDULED
    assert article.published_at == when
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_scheduler_publishes_at_its_time_exactly_once(scheduled, client):
    article, when = scheduled
    later = when + dt.timedelta(seconds=1)
    assert publish_due_articles(now=when - dt.timedelta(seconds=1)) == []
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert publish_due_articles() == [article.pk]
        assert publish_due_articles() == []  # a second worker finds nothing left to do
        assert Article.objects.published().filter(pk=article.pk).exists()
        assert client.get(article.get_absolute_url()).status_code == 200
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    notes = list(article.revisions.values_list("note", flat=True))
    assert notes.count("published on schedule") == 1


def _mounted(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def test_scheduled_article_reaches_feed_and_sitemap_after_its_time(scheduled, client):
    if not (_mounted("/feed/") and _mounted("/sitemap.xml")):
        pytest.skip("/feed/ and /sitemap.xml are not mounted yet (feeds app); "
                    "visibility is asserted through published() in the test above")
    article, when = scheduled
    assert article.headline not in client.get("/feed/").content.decode()
    with mock.patch("django.utils.timezone.now", return_value=when + dt.timedelta(seconds=5)):
        publish_due_articles()
        feed = client.get("/feed/").content.decode()
        # /sitemap.xml is an index: the article is in one of the sitemaps it lists.
        index = client.get("/sitemap.xml").content.decode()
        # Sitemap files are streamed (feeds/sitemap_stream.py): read inside the patched clock.
        sitemaps = "".join(
            b"".join(client.get(urlsplit(loc).path).streaming_content).decode()
            for loc in re.findall(r"<loc>([^<]+)</loc>", index)
        )
    assert article.headline in feed
    assert article.get_absolute_url() in sitemaps


def test_publishing_sends_one_published_signal_after_commit(editor, make_owned, client_for,
                                                            django_capture_on_commit_callbacks):
    article = make_owned(editor)
    received = []

    def listener(sender, article, **kwargs):
        received.append(article.pk)

    signals.article_published.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(editor).post(f"/newsroom/articles/{article.pk}/",
                                               editor_post(article, action="publish"))
    finally:
        signals.article_published.disconnect(listener)
    assert response.status_code == 302
    assert received == [article.pk]


def test_publish_now_makes_the_article_public_and_unpublish_takes_it_down(
        editor, make_owned, client_for, client):
    article = make_owned(editor, headline="Bridge reopens")
    newsroom = client_for(editor)
    newsroom.post(f"/newsroom/articles/{article.pk}/", editor_post(article, action="publish"))
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    assert newsroom.post(f"/newsroom/articles/{article.pk}/unpublish/").status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert client.get(url).status_code == 404


def test_contributor_sends_a_draft_for_review_and_the_editor_sees_it(make_user, client_for):
    contributor, editor = make_user("contributor"), make_user("editor")
    data = editor_post(author=author_for(contributor), headline="Harbour dredging plan",
                       action="review")
    assert client_for(contributor).post("/newsroom/articles/new/", data).status_code == 302
    article = Article.objects.get(headline="Harbour dredging plan")
    assert article.status == Article.Status.REVIEW
    dashboard = client_for(editor).get("/newsroom/").content.decode()
    review_panel = dashboard.split('id="review"', 1)[1].split("</section>", 1)[0]
    assert "Harbour dredging plan" in review_panel


def test_scheduling_in_the_past_is_refused_and_stores_nothing(editor, client_for):
    data = editor_post(author=author_for(editor), headline="Too late",
                       action="schedule", publish_at=_local(timezone.now() - dt.timedelta(hours=1)))
    response = client_for(editor).post("/newsroom/articles/new/", data)
    assert response.status_code == 400
    assert "Choose a time in the future" in response.content.decode()
    assert not Article.objects.filter(headline="Too late").exists()


def test_publishing_without_a_body_is_refused_and_changes_nothing(editor, make_owned,
                                                                 client_for):
    article = make_owned(editor, body="Draft text.")
    response = client_for(editor).post(f"/newsroom/articles/{article.pk}/",
                                       editor_post(article, body="", action="publish"))
    assert response.status_code == 400
    assert "add some body text" in response.content.decode()
    article.refresh_from_db()
    assert (article.status, article.body) == (Article.Status.DRAFT, "Draft text.")


def test_cancelling_a_schedule_returns_the_article_to_draft(scheduled, editor, client_for):
    article, when = scheduled
    client_for(editor).post(f"/newsroom/articles/{article.pk}/unpublish/")
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    with mock.patch("django.utils.timezone.now", return_value=when + dt.timedelta(minutes=1)):
        assert publish_due_articles() == []
        assert not Article.objects.published().filter(pk=article.pk).exists()


def test_dashboard_lists_drafts_scheduled_and_recently_published(scheduled, editor,
                                                                 make_owned, client_for):
    draft = make_owned(editor, headline="Unfinished story")
    live = make_owned(editor, status="published", headline="Finished story")
    html = client_for(editor).get("/newsroom/").content.decode()

    def panel(panel_id):
        return html.split(f'id="{panel_id}"', 1)[1].split("</section>", 1)[0]

    assert draft.headline in panel("drafts")
    assert scheduled[0].headline in panel("scheduled")
    assert live.headline in panel("recent")


def test_each_save_keeps_a_revision_with_who_and_when(editor, make_owned, client_for):
    article = make_owned(editor)
    before = Revision.objects.filter(article=article).count()
    client_for(editor).post(f"/newsroom/articles/{article.pk}/",
                            editor_post(article, headline="Second take"))
    latest = Revision.objects.filter(article=article).first()
    assert Revision.objects.filter(article=article).count() == before + 1
    assert latest.created_by == editor
    assert latest.data["headline"] == "Second take"


def test_article_list_filters_by_status_and_headline(editor, make_owned, client_for):
    make_owned(editor, headline="Draft about rivers")
    make_owned(editor, status="published", headline="Published about rivers")
    client = client_for(editor)
    drafts = client.get("/newsroom/articles/?status=draft").content.decode()
    assert "Draft about rivers" in drafts and "Published about rivers" not in drafts
    found = client.get("/newsroom/articles/?q=published+about").content.decode()
    assert "Published about rivers" in found and "Draft about rivers" not in found
