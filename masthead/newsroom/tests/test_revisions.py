"""Revisions (issue 5, point 4): compare any two, restore one as a new save."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from masthead.articles.models import Article
from masthead.articles.services import get_or_create_section

from .conftest import editor_post


@pytest.fixture
def history(make_user, make_owned, client_for):
    """An article saved three times by its author: original, rewrite, hostile markup."""
    author = make_user("author")
    article = make_owned(author, headline="Original headline",
                         body="First paragraph.\n\nSecond paragraph.")
    client = client_for(author)
    client.post(f"/newsroom/articles/{article.pk}/", editor_post(
        article, headline="Rewritten headline", body="First paragraph.\n\nA new second one.",
        section=str(get_or_create_section("Science").pk)))
    article.refresh_from_db()
    client.post(f"/newsroom/articles/{article.pk}/", editor_post(
        article, body='First paragraph.\n\n<script>alert("x")</script> & <b>bold</b>'))
    article.refresh_from_db()
    revisions = list(article.revisions.order_by("created_at", "id"))
    return author, article, client, revisions


def test_history_lists_every_save_with_who_and_what(history):
    author, article, client, revisions = history
    page = lxml_html.fromstring(client.get(f"/newsroom/articles/{article.pk}/revisions/").content)
    rows = page.xpath("//tr[@class='revision']")
    assert len(rows) == len(revisions) == 3
    assert all(author.username in row.text_content() for row in rows)


def test_diff_between_two_revisions_shows_changed_fields_only(history):
    _, article, client, revisions = history
    response = client.get(f"/newsroom/articles/{article.pk}/revisions/diff/",
                          {"from": revisions[0].pk, "to": revisions[1].pk})
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    headings = [h.text_content() for h in page.xpath("//div[@class='diff']//h2")]
    assert headings == ["Headline", "Body", "Section"]
    text = page.xpath("//div[@class='diff']")[0].text_content()
    assert "Original" in text and "Rewritten" in text and "Science" in text


def test_diff_escapes_markup_in_the_compared_text(history):
    _, article, client, revisions = history
    response = client.get(f"/newsroom/articles/{article.pk}/revisions/diff/",
                          {"from": revisions[1].pk, "to": revisions[2].pk})
    body = response.content.decode()
    assert "<script>" not in body and "<b>bold" not in body
    assert "&lt;script&gt;" in body


def test_diff_refuses_revisions_of_another_article(history, make_owned):
    author, article, client, revisions = history
    other = make_owned(author)
    response = client.get(f"/newsroom/articles/{article.pk}/revisions/diff/",
                          {"from": revisions[0].pk, "to": other.revisions.first().pk})
    assert response.status_code == 400


def test_diff_without_two_revisions_is_a_bad_request(history):
    _, article, client, _ = history
    response = client.get(f"/newsroom/articles/{article.pk}/revisions/diff/", {"from": "x"})
    assert response.status_code == 400


def test_restoring_a_revision_saves_its_content_as_a_new_revision(history):
    author, article, client, revisions = history
    response = client.post(
        f"/newsroom/articles/{article.pk}/revisions/{revisions[0].pk}/restore/")
    assert response.status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert article.headline == "Original headline"
    assert article.body == "First paragraph.\n\nSecond paragraph."
    assert article.section is None
    assert "Second paragraph" in article.body_html  # re-rendered through save_article
    newest = article.revisions.first()
    assert article.revisions.count() == 4
    assert newest.note.startswith("restored the version of")
    assert newest.created_by == author


def test_restore_keeps_the_current_publication_state(history, make_user):
    from masthead.articles.services import publish_article

    author, article, client, revisions = history
    publish_article(article, user=author)
    client.post(f"/newsroom/articles/{article.pk}/revisions/{revisions[0].pk}/restore/")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.headline == "Original headline"


def test_restore_needs_a_post(history):
    _, article, client, revisions = history
    response = client.get(f"/newsroom/articles/{article.pk}/revisions/{revisions[0].pk}/restore/")
    assert response.status_code == 405


def test_restoring_a_revision_of_another_article_is_not_found(history, make_owned):
    author, article, client, _ = history
    other = make_owned(author)
    response = client.post(
        f"/newsroom/articles/{article.pk}/revisions/{other.revisions.first().pk}/restore/")
    assert response.status_code == 404
