"""Teasers' comment counts (written as SQL) equal the ORM's count of approved comments."""

import random

import pytest
from django.db.models import Count

from masthead.comments.models import Comment
from masthead.comments.templatetags.comment_counts import annotate_comment_counts

from .conftest import approved_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(3))
def test_counts_equal_the_orm(make_article, seed):
    rng = random.Random(seed)
    articles = [make_article() for _ in range(6)]
    for _ in range(30):
        approved_comment(rng.choice(articles), status=rng.choice(list(Comment.Status.values)))
    shown = rng.sample(articles, 4)
    annotate_comment_counts(shown[:2], shown[2:], None)
    expected = dict(Comment.objects.approved().values_list("article_id")
                    .annotate(n=Count("id")).order_by())
    assert [a.approved_comment_count for a in shown] == [expected.get(a.pk, 0) for a in shown]
