"""Articles: visibility, slugs per day, redirects, revisions, rendering and signals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.articles import services, signals
from masthead.articles.models import Article, Redirect, Revision

pytestmark = pytest.mark.django_db


def test_draft_and_future_articles_are_not_visible(make_article):
    shown = make_article("Visible story")
    make_article("A draft", status="draft")
    make_article("Not yet", status="scheduled",
                 published_at=timezone.now() + dt.timedelta(hours=2))
    assert list(Article.objects.published()) == [shown]


def test_scheduled_article_is_visible_from_its_time_even_before_the_scheduler_runs(make_article):
    due = timezone.now() + dt.timedelta(minutes=5)
    article = make_article("Embargoed", status="scheduled", published_at=due)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    later = due + dt.timedelta(seconds=1)
    assert Article.objects.published(now=later).filter(pk=article.pk).exists()
    assert Article.objects.get(pk=article.pk).status == "scheduled"


def test_publish_due_articles_publishes_once_and_announces(make_article, django_capture_on_commit_callbacks):
    due = timezone.now() + dt.timedelta(minutes=5)
    article = make_article("Embargoed", status="scheduled", published_at=due)
    announced = []
    signals.article_published.connect(lambda sender, article, **kw: announced.append(article.pk),
                                      weak=False, dispatch_uid="test-announce")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.publish_due_articles(now=due + dt.timedelta(seconds=1)) == [article.pk]
        with django_capture_on_commit_callbacks(execute=True):
            assert services.publish_due_articles(now=due + dt.timedelta(seconds=2)) == []
    finally:
        signals.article_published.disconnect(dispatch_uid="test-announce")
    assert announced == [article.pk]
    assert Article.objects.get(pk=article.pk).status == "published"
    assert Revision.objects.filter(article=article, note="published on schedule").count() == 1


def test_body_is_rendered_to_safe_html_with_h2_subheadings(make_article):
    article = make_article(body="# Top\n\n## Sub\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert '<h2 id="top">Top</h2>' in article.body_html
    assert '<h2 id="sub">Sub</h2>' in article.body_html
    assert "<script" not in article.body_html
    assert "href=\"javascript:" not in article.body_html
    assert "<h1" not in article.body_html


def test_slugs_are_unique_per_day_but_may_repeat_on_other_days(make_article):
    # Noon, so "a minute later" is the same day whenever the test runs (it failed at 00:00).
    when = (timezone.now() - dt.timedelta(days=3)).replace(hour=12, minute=0)
    first = make_article("Same headline", published_at=when)
    second = make_article("Same headline", published_at=when + dt.timedelta(minutes=1))
    other_day = make_article("Same headline", published_at=when - dt.timedelta(days=1))
    assert first.slug == "same-headline"
    assert second.slug == "same-headline-2"
    assert other_day.slug == "same-headline"


def test_slug_change_leaves_a_permanent_redirect(make_article, client):
    article = make_article("Original title")
    old_url = article.get_absolute_url()
    article.slug = "better-title"
    services.save_article(article)
    assert Redirect.objects.filter(old_path=old_url, article=article).exists()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_unpublishing_hides_the_article_and_its_redirects(make_article, client):
    article = make_article("Soon gone")
    old_url = article.get_absolute_url()
    article.slug = "renamed"
    services.save_article(article)
    services.unpublish_article(article)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(old_url).status_code == 404


def test_a_republished_article_keeps_its_url_and_its_time(make_article, client):
    article = make_article("Pulled and restored", published_at=timezone.now() - dt.timedelta(days=5))
    url, first_published = article.get_absolute_url(), article.published_at
    services.unpublish_article(article)
    assert client.get(url).status_code == 404
    services.publish_article(Article.objects.get(pk=article.pk))
    article.refresh_from_db()
    assert (article.get_absolute_url(), article.published_at) == (url, first_published)
    assert client.get(url).status_code == 200


def test_a_cancelled_schedule_published_later_is_dated_when_published(make_article):
    article = make_article("Never seen", status="scheduled",
                           published_at=timezone.now() + dt.timedelta(hours=1))
    services.unpublish_article(article)  # the newsroom's "Cancel schedule"
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - dt.timedelta(minutes=5))  # its time has passed since
    services.publish_article(Article.objects.get(pk=article.pk))
    article.refresh_from_db()
    assert timezone.now() - article.published_at < dt.timedelta(seconds=30)


def test_a_new_date_for_a_published_article_301s_its_old_url(make_article, client):
    article = make_article("Redated", published_at=timezone.now() - dt.timedelta(days=5))
    old_url = article.get_absolute_url()
    services.unpublish_article(article)
    article = services.publish_article(Article.objects.get(pk=article.pk), at=timezone.now())
    assert article.get_absolute_url() != old_url
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_every_save_keeps_a_revision(make_article):
    article = make_article("Revised")
    article.body = "New body"
    services.save_article(article, note="edit")
    revisions = list(article.revisions.all())
    assert len(revisions) == 2
    assert revisions[0].data["body"] == "New body"


def test_reading_time_comes_from_the_word_count(make_article):
    article = make_article(body=" ".join(["word"] * 1000))
    assert article.word_count == 1000
    assert article.reading_minutes == 5


def test_authors_keep_their_byline_order(make_article):
    article = make_article(authors=("Zed Second", "Amy First", "Max Third"))
    assert [a.name for a in article.byline_authors] == ["Zed Second", "Amy First", "Max Third"]


def test_publish_article_in_the_future_schedules_it(make_article):
    article = make_article("Draft", status="draft")
    services.publish_article(article, at=timezone.now() + dt.timedelta(days=1))
    assert article.status == "scheduled"
    services.publish_article(article, at=timezone.now() - dt.timedelta(seconds=1))
    assert article.status == "published"
