"""The newsroom moderation queue at /newsroom/comments/: access, list, filters, actions."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from lxml import html as lxml_html

from masthead.comments.models import Comment
from masthead.comments.privacy import email_digest, encrypt_email

from .conftest import approved_comment

pytestmark = pytest.mark.django_db
QUEUE = "/newsroom/comments/"


def rows(response):
    page = lxml_html.fromstring(response.content)
    return [int(r.get("id").split("-")[1]) for r in page.xpath("//tr[starts-with(@id,'queue-')]")]


def test_queue_needs_a_login_and_the_moderate_permission(client, db):
    assert client.get(QUEUE).status_code == 302
    assert client.get(QUEUE)["Location"].startswith("/newsroom/login/")
    contributor = get_user_model().objects.create_user("writer", password="x" * 12)
    from masthead.newsroom.roles import assign_role

    assign_role(contributor, "contributor")
    client.force_login(contributor)
    assert client.get(QUEUE).status_code == 403
    assert client.post(f"{QUEUE}bulk/", {"action": "approve", "ids": ["1"]}).status_code == 403


def test_pending_queue_lists_likeliest_good_first_and_counts_each_state(moderator_client,
                                                                       article):
    spammy = approved_comment(article, status="pending", spam_score=0.7)
    clean = approved_comment(article, status="pending", spam_score=0.05)
    unscored = approved_comment(article, status="pending", spam_score=None)
    approved_comment(article, status="spam", spam_score=0.99)
    response = moderator_client.get(QUEUE)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert rows(response) == [clean.pk, spammy.pk, unscored.pk]
    tabs = {a.text.strip(): a.findtext("span")
            for a in lxml_html.fromstring(response.content).xpath("//nav[@class='tabs']//a")}
    assert tabs["Pending"] == "3" and tabs["Spam"] == "1" and tabs["Approved"] == "0"
    assert rows(moderator_client.get(QUEUE + "?status=pending&sort=-score"))[0] == spammy.pk


def test_queue_filters_by_state_text_and_article(moderator_client, article, make_article):
    other = make_article()
    a = approved_comment(article, status="pending", body="about the bridge")
    b = approved_comment(other, status="pending", body="about the tunnel")
    c = approved_comment(article, status="approved", body="bridge praise")
    assert set(rows(moderator_client.get(QUEUE + "?q=bridge"))) == {a.pk}
    assert set(rows(moderator_client.get(QUEUE + "?status=all&q=bridge"))) == {a.pk, c.pk}
    assert set(rows(moderator_client.get(QUEUE + f"?article={other.pk}"))) == {b.pk}
    assert set(rows(moderator_client.get(QUEUE + "?status=approved"))) == {c.pk}


def test_bulk_actions_moderate_the_selected_comments(moderator_client, moderator, article):
    ids = [approved_comment(article, status="pending").pk for _ in range(3)]
    response = moderator_client.post(f"{QUEUE}bulk/", {"action": "approve", "ids": ids[:2],
                                                       "next": QUEUE + "?status=pending"})
    assert response.status_code == 302 and response["Location"] == QUEUE + "?status=pending"
    statuses = dict(Comment.objects.values_list("id", "status"))
    assert [statuses[i] for i in ids] == ["approved", "approved", "pending"]
    assert Comment.objects.get(pk=ids[0]).moderated_by == moderator
    moderator_client.post(f"{QUEUE}bulk/", {"single": f"spam:{ids[2]}"})
    moderator_client.post(f"{QUEUE}bulk/", {"action": "trash", "ids": [ids[0]]})
    statuses = dict(Comment.objects.values_list("id", "status"))
    assert [statuses[i] for i in ids] == ["trash", "approved", "spam"]


def test_bulk_action_with_an_unknown_id_changes_nothing(moderator_client, article):
    comment = approved_comment(article, status="pending")
    moderator_client.post(f"{QUEUE}bulk/", {"action": "approve", "ids": [comment.pk, 99999]})
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_bulk_redirect_never_leaves_the_site(moderator_client, article):
    comment = approved_comment(article, status="pending")
    response = moderator_client.post(f"{QUEUE}bulk/", {"single": f"approve:{comment.pk}",
                                                       "next": "https://evil.example/"})
    assert response["Location"] == QUEUE


def test_edit_changes_the_text_and_state(moderator_client, article):
    comment = approved_comment(article, status="pending")
    page = moderator_client.get(f"{QUEUE}{comment.pk}/edit/")
    assert page.status_code == 200
    response = moderator_client.post(f"{QUEUE}{comment.pk}/edit/", {
        "author": "Edited Name", "url": "", "comment": "Edited text", "status": "approved"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.author_name, comment.body, comment.status) == (
        "Edited Name", "Edited text", "approved")
    assert comment.edited_at is not None
    bad = moderator_client.post(f"{QUEUE}{comment.pk}/edit/", {
        "author": "", "url": "javascript:x", "comment": "x", "status": "approved"})
    assert bad.status_code == 400
    assert Comment.objects.get(pk=comment.pk).author_name == "Edited Name"


def test_staff_reply_is_published_and_approves_the_held_comment(moderator_client, moderator,
                                                                 article, client):
    held = approved_comment(article, status="pending", body="A question for the desk?")
    response = moderator_client.post(f"{QUEUE}{held.pk}/reply/", {"comment": "Thanks, fixed."})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=held)
    assert reply.status == "approved" and reply.user == moderator and reply.depth == 1
    assert reply.author_name == "Desk Editor"
    assert Comment.objects.get(pk=held.pk).status == "approved"
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Thanks, fixed." in page and '<span class="badge">Staff</span>' in page
    assert moderator_client.post(f"{QUEUE}{held.pk}/reply/", {"comment": " "}).status_code == 400


def test_queue_shows_no_commenter_email(moderator_client, article):
    approved_comment(article, status="pending", email_encrypted=encrypt_email("hid@x.example"),
                     email_digest=email_digest("hid@x.example"))
    page = moderator_client.get(QUEUE).content.decode()
    assert "hid@x.example" not in page and "x.example" not in page


def test_queue_page_queries_do_not_grow_with_the_page(moderator_client, article,
                                                      django_assert_max_num_queries):
    for i in range(3):
        approved_comment(article, status="pending", body=f"c{i}")
    moderator_client.get(QUEUE)
    with django_assert_max_num_queries(12) as few:
        moderator_client.get(QUEUE)
    for i in range(40):
        approved_comment(article, status="pending", body=f"more {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(moderator_client.get(QUEUE))) == 43


def test_logged_out_client_cannot_edit_or_reply(article):
    comment = approved_comment(article, status="pending")
    for path in (f"{QUEUE}{comment.pk}/edit/", f"{QUEUE}{comment.pk}/reply/"):
        assert Client().post(path, {"comment": "x"}).status_code == 302
    assert Comment.objects.count() == 1


def test_each_row_shows_its_score_verdict_and_reasons(moderator_client, article):
    spammy = approved_comment(article, status="pending", spam_score=0.72, spam_verdict="hold",
                              hold_reason="spam filter unsure",
                              body="Check out my channel http://a.example http://b.example")
    unscored = approved_comment(article, status="pending", spam_score=None)
    page = lxml_html.fromstring(moderator_client.get(QUEUE).content)
    cell = page.get_element_by_id(f"queue-{spammy.pk}").find_class("score-cell")[0]
    assert cell.find_class("score")[0].text == "0.72"
    assert cell.find_class("verdict")[0].text == "unsure"
    reasons = [li.text_content() for li in cell.xpath(".//ul[@class='reasons']/li")]
    assert reasons[0] == "Held: spam filter unsure"
    assert {"2 links", "self-promotion", "call to action"} <= set(reasons)
    other = page.get_element_by_id(f"queue-{unscored.pk}").find_class("score-cell")[0]
    assert "not scored" in other.text_content()


def test_approve_is_the_primary_action_and_spam_trash_are_secondary(moderator_client,
                                                                   article):
    comment = approved_comment(article, status="pending")
    row = lxml_html.fromstring(moderator_client.get(QUEUE).content).get_element_by_id(
        f"queue-{comment.pk}")
    buttons = {b.text: (b.get("class"), b.get("aria-keyshortcuts"))
               for b in row.xpath(".//p[@class='row-actions']/button")}
    assert buttons == {"Approve": (None, "a"), "Spam": ("secondary", "s"),
                       "Trash": ("destructive", "t")}
    assert not row.xpath("//*[contains(concat(' ', @class, ' '), ' count ')]")
