"""An article sent as an email when it is published (opt-in per article): chosen in the
editor, sent once on the transition to published (now or by the scheduler), never twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import Client
from django.utils import timezone

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.newsletters import article_mail
from masthead.newsletters.models import ArticleEmail, Issue, Newsletter
from masthead.newsroom.services import author_for
from masthead.newsroom.staff import create_staff_user
from masthead.newsroom.tests.conftest import editor_post

from .conftest import TRANSACTIONAL, make_subscribers

pytestmark = TRANSACTIONAL

BODY = ("The storm reached the coast at noon.\n\n"
        "See [the map](/world/storm-map/) and [the agency](https://met.example/).\n\n"
        "## What next\n\nThe ferries stay in port.")


@pytest.fixture
def breaking(db):
    return Newsletter.objects.create(name="Breaking news", slug="breaking",
                                     sender_email="alerts@example.org", kind="manual")


def _editor(role="editor"):
    user, _ = create_staff_user(f"{role}-nl", role, password="a long enough test password 42")
    client = Client()
    client.force_login(user)
    return user, client


def _publish_from_editor(client, user, newsletters, **overrides):
    overrides = {"action": "publish", **overrides}
    data = editor_post(author=author_for(user), headline="Storm reaches the coast",
                       standfirst="Ferries cancelled; schools closed.", body=BODY, **overrides)
    data["email_newsletters"] = [str(n.pk) for n in newsletters]
    return client.post("/newsroom/articles/new/", data)


def test_ticked_in_the_editor_the_article_goes_out_once_on_publication(smtp, breaking):
    make_subscribers(breaking, 2)
    user, client = _editor()
    page = client.get("/newsroom/articles/new/").content.decode()
    assert 'name="email_newsletters"' in page and "Breaking news" in page
    assert _publish_from_editor(client, user, [breaking]).status_code == 302
    article = Article.objects.get()
    issue = Issue.objects.get()
    assert issue.article_id == article.pk and issue.status == "sent"
    assert issue.subject == "Storm reaches the coast"
    assert sorted(smtp.ledger.by_recipient()) == ["reader0@example.org", "reader1@example.org"]
    msg = smtp.ledger.received[0].message
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    url = "http://127.0.0.1:8000" + article.get_absolute_url()
    assert "Ferries cancelled; schools closed." in html and "The ferries stay in port." in html
    assert 'href="http://127.0.0.1:8000/world/storm-map/"' in html  # made absolute
    assert 'href="https://met.example/"' in html
    assert f'href="{url}"' in html and "Read on the site" in html
    assert "The storm reached the coast at noon.\n\n" in text and url in text
    assert "See the map (http://127.0.0.1:8000/world/storm-map/) and the agency " \
           "(https://met.example/)." in text
    # Edits after publication, unpublishing and publishing again: no second issue, no copy.
    edit = editor_post(article, headline="Storm reaches the coast (updated)", body=BODY,
                       action="publish", email_newsletters=[str(breaking.pk)])
    assert client.post(f"/newsroom/articles/{article.pk}/", edit).status_code == 302
    articles.unpublish_article(Article.objects.get())
    articles.publish_article(Article.objects.get())
    assert Issue.objects.count() == 1 and len(smtp.ledger.received) == 2
    assert "Already sent to: Breaking news" in client.get(
        f"/newsroom/articles/{article.pk}/").content.decode()


def test_not_ticked_nothing_is_sent(smtp, breaking):
    make_subscribers(breaking, 1)
    user, client = _editor()
    assert _publish_from_editor(client, user, []).status_code == 302
    assert not Issue.objects.exists() and not smtp.ledger.received


def test_a_scheduled_article_is_sent_when_the_scheduler_publishes_it(smtp, breaking):
    make_subscribers(breaking, 1)
    user, client = _editor()
    at = timezone.localtime() + dt.timedelta(hours=2)
    response = _publish_from_editor(client, user, [breaking], action="schedule",
                                    publish_at=at.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    assert ArticleEmail.objects.count() == 1 and not Issue.objects.exists()
    assert not smtp.ledger.received  # chosen, but not yet published
    # Two hours pass (the clock stays real: the job checks the article is published *now*).
    Article.objects.update(published_at=timezone.now() - dt.timedelta(seconds=5))
    assert len(articles.publish_due_articles()) == 1
    assert articles.publish_due_articles() == []  # a second sweep publishes nothing
    assert Issue.objects.get().article_id == Article.objects.get().pk
    assert list(smtp.ledger.by_recipient()) == ["reader0@example.org"]


def test_only_manual_newsletters_are_offered_and_others_refused(smtp, breaking):
    digest = Newsletter.objects.create(name="Daily digest", slug="daily", kind="digest",
                                       sender_email="news@example.org")
    user, client = _editor()
    page = client.get("/newsroom/articles/new/").content.decode()
    assert "Breaking news" in page and "Daily digest" not in page
    response = _publish_from_editor(client, user, [digest])
    assert response.status_code == 400 and "email_newsletters" in response.content.decode()
    assert not Article.objects.exists() and not ArticleEmail.objects.exists()


def test_writers_cannot_choose_newsletters(smtp, breaking):
    user, client = _editor("author")
    assert 'name="email_newsletters"' not in client.get("/newsroom/articles/new/").content \
        .decode()
    data = editor_post(author=author_for(user), email_newsletters=[str(breaking.pk)])
    assert client.post("/newsroom/articles/new/", data).status_code == 302
    assert not ArticleEmail.objects.exists()  # the field does not exist for them


def _published_and_chosen(newsletter, headline="Bridge closed") -> Article:
    article = Article(headline=headline, body="Wind.")
    with transaction.atomic():
        articles.publish_article(article)
        article_mail.choose(article, [newsletter])
    return article


def test_a_retried_job_makes_no_second_issue_and_the_database_refuses_one(smtp, breaking,
                                                                            settings):
    settings.MASTHEAD_JOBS_EAGER = "none"  # the job is run by hand below, several times
    make_subscribers(breaking, 3)
    article = _published_and_chosen(breaking)
    assert len(article_mail.send_article(article.pk)) == 1
    assert article_mail.send_article(article.pk) == []  # a retried job
    # The unique constraint, not only the check before the insert, keeps it to one.
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.create(newsletter=breaking, subject="again", article=article)


def test_two_servers_running_the_job_at_once_make_one_issue(smtp, breaking, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: the SQLite test database is one shared "
                    "in-memory file locked per table (the PostgreSQL pass runs this)")
    settings.MASTHEAD_JOBS_EAGER = "none"
    make_subscribers(breaking, 3)
    article = _published_and_chosen(breaking)
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(article_mail.send_article(article.pk))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r) for r in results) == [0, 1]
    assert Issue.objects.filter(article=article).count() == 1


def test_an_article_unpublished_before_the_job_runs_is_not_sent(smtp, breaking, settings):
    settings.MASTHEAD_JOBS_EAGER = "none"
    make_subscribers(breaking, 1)
    article = _published_and_chosen(breaking, "Retracted")
    articles.unpublish_article(article)
    assert article_mail.send_article(article.pk) == []
    assert not Issue.objects.exists()
