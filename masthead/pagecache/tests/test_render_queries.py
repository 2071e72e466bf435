"""The uncached render is bounded: query counts of the hot pages do not grow with content.

Misses render through Django, so a page with 50 comments and a related list must cost the
same few queries as an empty one (issue 7, point 4; timings are in bench/render_speed.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.comments.models import Comment

pytestmark = pytest.mark.django_db

ARTICLE_PAGE_MAX_QUERIES = 12
FRONT_PAGE_MAX_QUERIES = 9  # 8 for the stories and sections, 1 for teaser comment counts


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def add_comments(article, n):
    top = [Comment.objects.create(article=article, author_name=f"Reader {i}",
                                  body=f"Comment {i}", status="approved") for i in range(n // 2)]
    for i, parent in enumerate(top):
        Comment.objects.create(article=article, parent=parent, depth=1,
                               author_name=f"Replier {i}", body=f"Reply {i}", status="approved")


def test_article_with_fifty_comments_and_related_costs_no_more_queries_than_a_bare_one(
        client, make_article):
    bare = make_article("Bare", tags=("Navy",))
    busy = make_article("Busy", tags=("Navy", "Trade"), authors=("Ada", "Ben"))
    for n in range(6):
        make_article(f"Related {n}", tags=("Navy",))
    add_comments(busy, 50)
    # A first page loads what a server keeps for many pages (the newsletters on offer).
    client.get(bare.get_absolute_url())
    baseline = queries(client, bare.get_absolute_url())
    loaded = queries(client, busy.get_absolute_url())
    page = client.get(busy.get_absolute_url()).content.decode()
    assert page.count('class="comment depth-') == 50
    assert loaded <= ARTICLE_PAGE_MAX_QUERIES
    assert loaded == baseline


def test_front_page_query_count_is_the_same_for_ten_and_forty_articles(client, make_article):
    for n in range(10):
        make_article(section=("World", "Business", "Sport")[n % 3], tags=(f"t{n}",),
                     featured=n == 0)
    few = queries(client, "/")
    for n in range(30):
        make_article(section=("World", "Business", "Sport", "Arts")[n % 4], featured=n < 3)
    many = queries(client, "/")
    assert many <= FRONT_PAGE_MAX_QUERIES
    assert many == few
