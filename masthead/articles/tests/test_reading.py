"""The article page's hand-written SQL reads what the ORM reads: same rows, values, order."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.articles import reading
from masthead.articles.models import Article, Byline, Section
from masthead.media.models import Image

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def orm_article(article: Article):
    """The obvious way: a queryset with the published() rule."""
    return (
        Article.objects.published().stories()
        .select_related("section", "lead_image")
        .prefetch_related("tags", Prefetch("bylines", Byline.objects.select_related("author")
                                           .order_by("position", "id"), to_attr="ordered"))
        .filter(pub_date=article.pub_date, slug=article.slug).first()
    )


def random_site(make_article, seed: int) -> list[Article]:
    rng = random.Random(seed)
    now = timezone.now()
    image = Image.objects.create(original_url="https://example.org/a.jpg", width=640,
                                 height=480, renditions=[])
    made = []
    for n in range(rng.randint(8, 25)):
        made.append(make_article(
            f"Story {n} {'é' * (n % 3)}", section=rng.choice(["World", "Business", None]),
            tags=rng.sample(["Climate", "Energy", "Courts", "Trade", "Zebra"], rng.randint(0, 4)),
            authors=rng.sample(["Ada Reporter", "Bo Writer", "Cy Editor"], rng.randint(1, 3)),
            status=rng.choice(["published"] * 4 + ["draft", "scheduled", "review"]),
            published_at=now + dt.timedelta(minutes=rng.choice([-600, -5, 30]) - n),
            standfirst=rng.choice(["", "A standfirst."]),
            featured=rng.random() < 0.3, comments_enabled=rng.random() < 0.8,
            lead_image=image if rng.random() < 0.4 else None,
        ))
    Article.objects.filter(pk__in=[a.pk for a in made if a.pk % 5 == 0]).update(
        kind=Article.Kind.PAGE)
    return made


@pytest.mark.parametrize("seed", range(4))
def test_published_article_equals_the_orm(make_article, seed):
    for article in random_site(make_article, seed):
        expected = orm_article(article)
        got = reading.published_article(article.pub_date, article.slug) \
            if article.pub_date else None
        if expected is None:
            assert got is None
            continue
        assert field_values(got) == field_values(expected)
        assert got.section == expected.section and got.lead_image == expected.lead_image
        if got.section:
            assert field_values(got.section) == field_values(expected.section)
        if got.lead_image:
            assert field_values(got.lead_image) == field_values(expected.lead_image)
        assert [field_values(b) for b in got.ordered_bylines] == \
            [field_values(b) for b in expected.ordered]
        assert got.byline_authors == [b.author for b in expected.ordered]
        assert [field_values(t) for t in got.tags.all()] == \
            [field_values(t) for t in expected.tags.all()]
        assert got.published_at.tzinfo is not None


def test_published_article_attaches_everything_the_page_reads(make_article):
    article = make_article("Attached", tags=["Climate", "Energy"],
                           authors=["Ada Reporter", "Bo Writer"])
    got = reading.published_article(article.pub_date, article.slug)
    with CaptureQueriesContext(connection) as queries:
        assert got.section.name == "World"
        assert got.lead_image is None
        assert [t.name for t in got.tags.all()] == ["Climate", "Energy"]
        assert [a.name for a in got.byline_authors] == ["Ada Reporter", "Bo Writer"]
        got.get_absolute_url()
    assert len(queries) == 0


def test_not_yet_due_and_wrong_day_are_not_found(make_article):
    article = make_article("Later", status="scheduled",
                           published_at=timezone.now() + dt.timedelta(minutes=5))
    assert reading.published_article(article.pub_date, article.slug) is None
    assert reading.published_article(
        article.pub_date, article.slug, now=timezone.now() + dt.timedelta(minutes=6)) is not None
    assert reading.published_article(article.pub_date - dt.timedelta(days=1), article.slug,
                                      now=timezone.now() + dt.timedelta(minutes=6)) is None


def test_navigation_sections_equal_the_orm():
    rng = random.Random(3)
    for n in range(12):
        Section.objects.create(name=f"Section {n}", slug=f"section-{n}",
                               position=rng.choice([1, 2, 100]),
                               in_navigation=rng.random() < 0.7)
    assert [field_values(s) for s in reading.navigation_sections()] == \
        [field_values(s) for s in Section.objects.navigation()]
