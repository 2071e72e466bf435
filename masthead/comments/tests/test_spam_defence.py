"""Spam defence, layer by layer: honeypot, form token timing, rate limits, duplicates, links,
and the learning filter persisted in the database and retrained from moderation."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from lxml import html as lxml_html

from masthead.comments import filtering, jobs, services, tokens
from masthead.comments.models import Comment, SpamModelRecord
from masthead.comments.spam import CommentText, dump_model, train
from masthead.core.models import RateBucket

from .conftest import approved_comment, form_data

pytestmark = pytest.mark.django_db


def test_filled_honeypot_is_refused_and_nothing_stored(post, article):
    response = post(article, leave_this_empty="http://bot.example")
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode()
    assert Comment.objects.count() == 0


def test_honeypot_is_hidden_from_people_and_skipped_by_keyboard(client, article):
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    trap = page.xpath("//input[@name='leave_this_empty']")[0]
    assert trap.get("tabindex") == "-1" and trap.get("autocomplete") == "off"
    assert trap.getparent().get("aria-hidden") == "true"


class Clock:
    def __init__(self, start: float):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    fake = Clock(time.time())
    with mock.patch.object(tokens, "now", fake):
        yield fake


def test_form_posted_faster_than_three_seconds_is_refused_then_accepted_on_resubmit(
        post, article, clock):
    token = tokens.issue_form_token(article.pk)
    clock.now += 1.5
    response = post(article, form_token=token)
    assert response.status_code == 400 and "very quick" in response.content.decode()
    assert Comment.objects.count() == 0
    kept = lxml_html.fromstring(response.content).xpath("//input[@name='form_token']/@value")
    assert kept == [token]  # same token: a person's second click, a moment later, succeeds
    clock.now += 2
    assert post(article, form_token=token).status_code == 303


def test_form_older_than_a_day_is_refused_with_a_fresh_form(post, article, clock):
    token = tokens.issue_form_token(article.pk)
    clock.now += 86400 + 5
    response = post(article, form_token=token)
    assert response.status_code == 400 and "expired" in response.content.decode()
    fresh = lxml_html.fromstring(response.content).xpath("//input[@name='form_token']/@value")
    assert fresh and fresh != [token]
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("token", ["", "garbage", "eyJhIjoxfQ:forged-signature"])
def test_missing_or_forged_form_token_is_refused(post, article, token):
    assert post(article, form_token=token).status_code == 400
    assert Comment.objects.count() == 0


def test_form_token_of_another_article_is_refused(post, article, make_article):
    other = make_article()
    token = tokens.issue_form_token(other.pk, issued_at=time.time() - 30)
    assert post(article, form_token=token).status_code == 400


def test_rate_limit_per_ip_address(post, article, settings, client):
    settings.MASTHEAD_COMMENTS_RATE_PER_MINUTE = 2
    assert post(article, email="a@example.org", comment="one").status_code == 303
    assert post(article, email="b@example.org", comment="two").status_code == 303
    third = post(article, email="c@example.org", comment="three")
    assert third.status_code == 429 and "too quickly" in third.content.decode()
    assert Comment.objects.count() == 2
    elsewhere = client.post("/comments/post/", form_data(article, email="d@example.org"),
                            HTTP_ORIGIN="http://testserver", REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 303


def test_rate_limit_per_email_across_addresses(article, settings, client):
    settings.MASTHEAD_COMMENTS_RATE_PER_MINUTE = 2
    codes = [
        client.post("/comments/post/", form_data(article, comment=f"text {i}"),
                    HTTP_ORIGIN="http://testserver", REMOTE_ADDR=f"10.0.0.{i}").status_code
        for i in range(3)
    ]
    assert codes == [303, 303, 429]


def test_rate_counters_live_in_the_database_without_raw_addresses(post, article):
    post(article)
    keys = list(RateBucket.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all("127.0.0.1" not in k and "ada@" not in k for k in keys)


def test_duplicate_comment_is_refused(post, article):
    assert post(article, comment="Same words.").status_code == 303
    again = post(article, comment="Same words.")  # a new form, so not a retry
    assert again.status_code == 409 and "already said that" in again.content.decode()
    assert Comment.objects.count() == 1


def test_comment_with_too_many_links_is_held_even_for_a_trusted_commenter(post, article,
                                                                          settings):
    settings.MASTHEAD_COMMENTS_MAX_LINKS = 2
    post(article, comment="hello")
    services.approve_comments([Comment.objects.get().pk])
    with mock.patch.object(filtering, "active_filter", return_value=_Fixed(0.01)):
        post(article, comment="see http://a.example/1 http://a.example/2 http://a.example/3")
        post(article, comment="see http://a.example/1 and http://a.example/2")
    held, fine = Comment.objects.order_by("id")[1:]
    assert held.status == "pending" and "links" in held.hold_reason
    assert fine.status == "approved"


class _Fixed:
    """An engine with a fixed score, to test what the form does with each verdict."""

    def __init__(self, score):
        from masthead.comments.spam import Thresholds

        self.score_value, self.thresholds = score, Thresholds()

    def classify(self, text):
        from masthead.comments.spam import Classification, verdict

        return Classification(self.score_value, verdict(self.score_value, self.thresholds))


SITE_SPAM = [f"cheap zanzibar flights deal number {i} book today" for i in range(12)]
SITE_HAM = [f"the council meeting on the harbour bridge, point {i}, was well reported"
            for i in range(12)]


def _site_model():
    examples = [(CommentText(t), True) for t in SITE_SPAM] + \
               [(CommentText(t), False) for t in SITE_HAM]
    return train(examples, tune=False)


def test_stored_model_is_used_for_every_new_comment(post, article):
    model = _site_model()
    filtering.store_model(dump_model(model), model.info)
    post(article, comment="cheap zanzibar flights deal, book today")
    post(article, comment="the harbour bridge vote was well reported", email="b@example.org")
    spam, ham = Comment.objects.order_by("id")
    assert spam.status == "spam" and spam.spam_score > 0.85
    assert ham.status == "pending" and ham.spam_score < 0.5  # first-time commenter: held


def test_without_a_model_the_rules_filter_scores(article, post):
    assert SpamModelRecord.objects.count() == 0
    post(article, comment="Check out my channel http://bit.ly/x and subscribe!!!")
    assert Comment.objects.get().status == "spam"


def test_moderation_decisions_retrain_the_filter_and_rescore_the_queue(article):
    for text in SITE_SPAM[:11]:
        approved_comment(article, body=text, status="pending")
    for text in SITE_HAM[:11]:
        approved_comment(article, body=text, status="pending")
    waiting = approved_comment(article, body="cheap zanzibar flights deal today",
                               status="pending", spam_score=0.0)
    assert jobs.retrain_spam_filter() is False  # nothing decided yet
    spam_ids = list(Comment.objects.filter(body__startswith="cheap").exclude(pk=waiting.pk)
                    .values_list("id", flat=True))
    ham_ids = list(Comment.objects.filter(body__startswith="the council")
                   .values_list("id", flat=True))
    services.spam_comments(spam_ids)
    services.approve_comments(ham_ids)
    assert filtering.needs_retraining()
    assert jobs.retrain_spam_filter() is True
    record = SpamModelRecord.objects.get()
    assert record.info["site_decisions"] == 22 and not filtering.needs_retraining()
    waiting.refresh_from_db()
    assert waiting.spam_score > 0.5  # re-scored by the new model: the queue order follows it
    assert jobs.retrain_spam_filter() is False


def test_only_one_process_retrains_at_a_time(db):
    assert jobs.claim("retrain-spam-filter", jobs.RETRAIN_LEASE) is True
    assert jobs.claim("retrain-spam-filter", jobs.RETRAIN_LEASE) is False
    jobs.release("retrain-spam-filter")
    assert jobs.claim("retrain-spam-filter", jobs.RETRAIN_LEASE) is True


def test_an_unreadable_stored_model_falls_back_to_rules(post, article):
    filtering.store_model(b"not a model", {})
    post(article, comment="A perfectly ordinary remark.")
    assert Comment.objects.get().spam_verdict == "ham"


def test_only_three_models_are_kept(db):
    for _ in range(5):
        filtering.store_model(b"x", {})
    assert SpamModelRecord.objects.count() == 3
