"""Threading: replies to approved comments of the same article, to a configured depth."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from lxml import html as lxml_html

from masthead.comments.models import Comment

from .conftest import approved_comment

pytestmark = pytest.mark.django_db


def test_reply_to_an_approved_comment_is_threaded_under_it(post, article):
    parent = approved_comment(article)
    assert post(article, comment_parent=str(parent.pk)).status_code == 303
    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert reply.parent_id == parent.pk and reply.depth == 1


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_reply_to_a_comment_that_is_not_approved_is_refused(post, article, status):
    parent = approved_comment(article, status=status)
    response = post(article, comment_parent=str(parent.pk))
    assert response.status_code == 400
    assert "only reply to a published comment" in response.content.decode()
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_of_another_article_is_refused(post, article, make_article):
    elsewhere = approved_comment(make_article())
    assert post(article, comment_parent=str(elsewhere.pk)).status_code == 400
    assert post(article, comment_parent="999999").status_code == 400
    assert Comment.objects.count() == 1


def test_replies_stop_at_the_configured_depth(post, article, settings, client):
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = 3
    top = approved_comment(article, depth=0)
    middle = approved_comment(article, parent=top, depth=1)
    deepest = approved_comment(article, parent=middle, depth=2)
    response = post(article, comment_parent=str(deepest.pk))
    assert response.status_code == 400 and "too deep" in response.content.decode()
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    linked = {int(x) for x in page.xpath("//a[@class='reply-link']/@data-comment")}
    assert linked == {top.pk, middle.pk}  # no reply link where a reply would be refused
    assert post(article, comment_parent=str(middle.pk)).status_code == 303


def test_default_depth_is_five_levels(settings, post, article):
    chain = [approved_comment(article, depth=0)]
    for depth in range(1, 5):
        chain.append(approved_comment(article, parent=chain[-1], depth=depth))
    assert post(article, comment_parent=str(chain[3].pk)).status_code == 303
    assert post(article, comment_parent=str(chain[4].pk), comment="deeper").status_code == 400


def test_comments_show_in_thread_order_with_permalinks(client, article):
    t0 = timezone.now() - dt.timedelta(hours=5)
    first = approved_comment(article, body="first", created_at=t0)
    second = approved_comment(article, body="second", created_at=t0 + dt.timedelta(hours=1))
    reply = approved_comment(article, body="reply to first", parent=first, depth=1,
                             created_at=t0 + dt.timedelta(hours=2))
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    items = page.xpath("//ol[@class='comment-list']/li")
    assert [li.get("id") for li in items] == [
        f"comment-{first.pk}", f"comment-{reply.pk}", f"comment-{second.pk}"]
    assert "depth-1" in items[1].get("class")
    assert items[1].xpath(f".//a[@href='#comment-{reply.pk}']")


def test_counts_include_approved_comments_only(client, article):
    approved_comment(article)
    approved_comment(article)
    for status in ("pending", "spam", "trash"):
        approved_comment(article, status=status, body=f"hidden {status}")
    page = client.get(article.get_absolute_url()).content.decode()
    assert ">2 comments<" in page
    assert "hidden pending" not in page and "hidden spam" not in page


def test_article_page_queries_do_not_grow_with_comments(client, article,
                                                        django_assert_max_num_queries):
    client.get(article.get_absolute_url())  # warm: sessions, sections
    with django_assert_max_num_queries(12) as few:
        client.get(article.get_absolute_url())
    for i in range(30):
        approved_comment(article, body=f"comment {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_comment_count_tag_counts_approved_comments_for_many_articles_in_one_query(
        make_article, django_assert_num_queries):
    from django.template import Context, Template

    articles = [make_article() for _ in range(3)]
    approved_comment(articles[0])
    approved_comment(articles[0])
    approved_comment(articles[1], status="pending")
    template = Template("{% load comment_counts %}{% annotate_comment_counts items %}"
                        "{% for a in items %}{{ a.approved_comment_count }},{% endfor %}")
    with django_assert_num_queries(1):
        assert template.render(Context({"items": articles})) == "2,0,0,"
