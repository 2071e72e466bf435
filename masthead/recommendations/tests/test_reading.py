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
from masthead.recommendations.models import RelatedArticle, RelatedOverride
from masthead.recommendations.reading import latest_in_section, shown_related

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


def orm_latest_in_section(article, n: int, shown_ids, now) -> list[Article]:
    """The "Latest from <section>" rule through the ORM (what the page used before)."""
    excluded = RelatedOverride.objects.filter(
        article_id=article.pk, kind=RelatedOverride.Kind.EXCLUDE).values_list("related_id",
                                                                             flat=True)
    return list(
        Article.objects.published(now).stories().filter(section_id=article.section_id)
        .exclude(pk=article.pk).exclude(pk__in=list(shown_ids) + list(excluded))
        .for_listing()[:n])


@pytest.mark.parametrize("seed", range(5))
def test_latest_in_section_equals_the_orm(make_article, seed):
    rng = random.Random(seed)
    now = timezone.now()
    articles = [
        make_article(f"Story {i}", section=rng.choice(["World", "Sport", None]),
                     authors=rng.sample(["Ada Reporter", "Bo Writer"], rng.randint(1, 2)),
                     status=rng.choice(["published"] * 5 + ["draft", "scheduled"]),
                     published_at=now + dt.timedelta(minutes=rng.choice([-90, -3, 20]) - i))
        for i in range(16)
    ]
    Article.objects.filter(pk=articles[3].pk).update(kind=Article.Kind.PAGE)
    for article in articles[:8]:
        for other in rng.sample([a for a in articles if a != article], rng.randint(0, 3)):
            RelatedOverride.objects.create(article=article, related=other,
                                           kind=rng.choice(["exclude", "pin"]))
    for article in articles[:8]:
        for n in (1, 3, 4):
            shown = [a.pk for a in rng.sample(articles, rng.randint(0, 3))]
            got = latest_in_section(article, n, shown, now=now)
            expected = orm_latest_in_section(article, n, shown, now) \
                if article.section_id else []
            assert [a.pk for a in got] == [a.pk for a in expected]
            assert [values(a) for a in got] == [values(a) for a in expected]
            assert [[b.author.name for b in a.ordered_bylines] for a in got] == \
                [[b.author.name for b in a.ordered_bylines] for a in expected]


def test_latest_in_section_reads_with_sql_only(make_article):
    source = make_article("Source", section="World")
    make_article("Newer", section="World")
    with CaptureQueriesContext(connection) as queries:
        [got] = latest_in_section(source, 4)
    assert got.headline == "Newer"
    assert len(queries) == 3  # the ids, the teasers, their bylines
