"""The newsroom home (issue 5, points 6 and 7): comment counts and the moderation link."""

from __future__ import annotations

from lxml import html as lxml_html

from masthead.comments.models import Comment
from masthead.newsroom.views.dashboard import comment_counts


def _comment(article, status):
    return Comment.objects.create(article=article, author_name="Reader", body="Hello",
                                  status=status)


def test_dashboard_counts_comments_awaiting_moderation(make_user, make_owned, client_for):
    editor = make_user("editor")
    article = make_owned(editor, status="published")
    for status in ("pending", "pending", "pending", "spam", "approved"):
        _comment(article, status)
    page = lxml_html.fromstring(client_for(editor).get("/newsroom/").content)
    pending = page.xpath("//section[@id='comments-panel']//a[@data-pending]")[0]
    assert pending.get("href") == "/newsroom/comments/"
    assert pending.text == "3"
    assert page.xpath("//span[@data-status='spam']/text()") == ["1"]


def test_comment_counts_come_from_the_moderation_queue(make_user, make_owned):
    article = make_owned(make_user("editor"), status="published")
    _comment(article, "pending")
    _comment(article, "trash")
    counts = comment_counts()
    assert counts["pending"] == 1
    assert counts["trash"] == 1
