"""Retries are safe: one rendered form, submitted twice, stores one comment — while readers who
were served the same cached form (same token) never collide."""

from __future__ import annotations

import time

import pytest

from masthead.comments import tokens
from masthead.comments.models import Comment

pytestmark = pytest.mark.django_db


def test_double_submission_of_one_form_stores_once_and_lands_on_the_same_comment(post, article):
    token = tokens.issue_form_token(article.pk, issued_at=time.time() - 10)
    first = post(article, form_token=token)
    second = post(article, form_token=token)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1


def test_readers_sharing_a_cached_form_token_each_get_their_own_comment(post, article,
                                                                         fresh_client):
    token = tokens.issue_form_token(article.pk, issued_at=time.time() - 10)
    post(article, form_token=token, email="one@example.org", comment="Same words")
    post(article, fresh_client, form_token=token, email="two@example.org",
         comment="Same words")
    post(article, form_token=token, email="one@example.org", comment="Different words")
    assert Comment.objects.count() == 3


def test_retry_after_the_comment_was_moderated_still_does_not_duplicate(post, article):
    token = tokens.issue_form_token(article.pk, issued_at=time.time() - 10)
    post(article, form_token=token)
    Comment.objects.update(status="approved")
    assert post(article, form_token=token).status_code == 303
    assert Comment.objects.count() == 1


def test_the_database_refuses_a_second_row_for_one_submission(article):
    from django.db import IntegrityError, transaction

    Comment.objects.create(article=article, author_name="a", body="b", submission_key="k" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(article=article, author_name="a", body="b",
                               submission_key="k" * 64)
    # Imported and staff comments have no key and are not constrained.
    Comment.objects.create(article=article, author_name="a", body="b")
    Comment.objects.create(article=article, author_name="a", body="b")


def test_a_twin_request_that_commits_mid_way_is_recognised_not_called_a_duplicate(post, article):
    """The race the live server showed: request B checks for its key before A commits, then
    finds A's row when it looks for duplicates. B must land on A's comment, not get a 409."""
    from unittest import mock

    from masthead.comments import posting

    token = tokens.issue_form_token(article.pk, issued_at=time.time() - 10)
    first = post(article, form_token=token)
    real, calls = posting._existing, []

    def not_yet_committed_at_first(key):
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    with mock.patch.object(posting, "_existing", not_yet_committed_at_first):
        second = post(article, form_token=token)
    assert len(calls) == 2
    assert second.status_code == 303 and second["Location"] == first["Location"]
    assert Comment.objects.count() == 1
