"""The article page's related list, read with hand-written SQL, equals the ORM's reading of
the same rule: stored rank order, only what is visible now, the section attached."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.articles.models import Article
from masthead.recommendations.models import RelatedArticle
from masthead.recommendations.reading import shown_related

pytestmark = pytest.mark.django_db


def orm_shown(article_id: int, n: int, now) -> list[Article]:
    visible = Article.objects.published(now).stories().filter(pk=OuterRef("related_id"))
    rows = (RelatedArticle.objects.filter(article_id=article_id).filter(Exists(visible))
            .select_related("related__section").order_by("rank")[:n])
    return [row.related for row in rows]


def values(article: Article) -> dict:
    """Every field the page path loads (all but the text)."""
    return {f.attname: getattr(article, f.attname) for f in Article._meta.concrete_fields
            if f.attname not in ("body", "body_html")}


@pytest.mark.parametrize("seed", range(5))
def test_shown_related_equals_the_orm(make_article, seed):
    rng = random.Random(seed)
    now = timezone.now()
    articles = [
        make_article(f"Story {i}", section=rng.choice(["World", "Sport", None]),
                     status=rng.choice(["published"] * 5 + ["draft", "scheduled"]),
                     published_at=now + dt.timedelta(minutes=rng.choice([-90, -3, 20])))
        for i in range(14)
    ]
    Article.objects.filter(pk=articles[3].pk).update(kind=Article.Kind.PAGE)
    for article in articles[:6]:
        others = rng.sample([a for a in articles if a != article], rng.randint(0, 9))
        RelatedArticle.objects.bulk_create(
            RelatedArticle(article=article, related=other, rank=rank, score=rng.random())
            for rank, other in enumerate(others))
    for article in articles[:6]:
        for n in (1, 4, 8):
            got = shown_related(article.pk, n, now=now)
            expected = orm_shown(article.pk, n, now)
            assert [a.pk for a in got] == [a.pk for a in expected]
            assert [values(a) for a in got] == [values(a) for a in expected]
            assert [a.section and a.section.pk for a in got] == \
                [a.section and a.section.pk for a in expected]


def test_the_page_shows_what_it_needs_without_more_queries(make_article):
    source, other = make_article("Source"), make_article("Other", section="Science")
    RelatedArticle.objects.create(article=source, related=other, rank=0, score=0.5)
    with CaptureQueriesContext(connection) as queries:
        [got] = shown_related(source.pk, 4)
        assert (got.headline, got.section.name) == ("Other", "Science")
        assert got.get_absolute_url() == other.get_absolute_url()
        assert got.published_at == other.published_at
    assert len(queries) == 1
    assert {"body", "body_html"} <= got.get_deferred_fields()
