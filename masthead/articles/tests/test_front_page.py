"""The front page's blocks, cut from one query, equal what each block's own query returns."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from masthead.articles.front_page import (
    FEATURED_COUNT,
    LATEST_COUNT,
    SECTION_BLOCK_SIZE,
    front_page_stories,
)
from masthead.articles.models import Article, Section

pytestmark = pytest.mark.django_db


def newest(queryset, n):
    return [a.pk for a in queryset.order_by("-published_at", "-id")[:n]]


def block_by_block():
    """The obvious way: one query per block."""
    visible = Article.objects.published().stories()
    featured = newest(visible.filter(featured=True), FEATURED_COUNT)
    latest = newest(visible.exclude(pk__in=featured), LATEST_COUNT)
    blocks = [(s.pk, newest(visible.filter(section=s), SECTION_BLOCK_SIZE))
              for s in Section.objects.navigation()]
    return featured, latest, [(s, ids) for s, ids in blocks if ids]


@pytest.mark.parametrize("seed", range(6))
def test_blocks_equal_one_query_per_block(make_article, seed):
    rng = random.Random(seed)
    now = timezone.now()
    sections = ["World", "Business", "Science", "Sport"][: rng.randint(1, 4)]
    for n in range(rng.randint(0, 45)):
        make_article(
            f"Story {n}", section=rng.choice(sections + [None]),
            status=rng.choice(["published"] * 6 + ["draft", "scheduled"]),
            # Ties in time are common in imports: the order falls back to the id.
            published_at=now - dt.timedelta(hours=rng.choice([rng.randint(1, 400), 5])),
            featured=rng.random() < 0.3,
        )
    Article.objects.filter(headline__endswith="7").update(kind=Article.Kind.PAGE)
    page = front_page_stories()
    got = ([a.pk for a in page.featured], [a.pk for a in page.latest],
           [(s.pk, [a.pk for a in items]) for s, items in page.section_blocks])
    assert got == block_by_block()


def test_scheduled_stories_appear_only_when_due(make_article):
    now = timezone.now()
    make_article("Due", status="scheduled", published_at=now - dt.timedelta(minutes=1))
    make_article("Not yet", status="scheduled", published_at=now + dt.timedelta(hours=1))
    headlines = [a.headline for a in front_page_stories().latest]
    assert headlines == ["Due"]


def test_query_count_does_not_depend_on_sections(make_article, django_assert_num_queries):
    for n in range(12):
        make_article(f"Story {n}", section=f"Section {n}")
    with django_assert_num_queries(4):  # sections, the ids, those stories, their bylines
        front_page_stories()
