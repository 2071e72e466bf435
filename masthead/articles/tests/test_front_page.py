"""The front page's blocks, cut from one query, equal what the rules give with one ORM query
per step over every visible story; curation first, no story twice."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from masthead.articles.front_page import (
    LATEST_COUNT,
    SECTION_BLOCK_SIZE,
    TOP_COUNT,
    front_page_stories,
)
from masthead.articles.models import Article, FrontPageSlot, Section

pytestmark = pytest.mark.django_db
Slot = FrontPageSlot.Block


def newest(queryset, n):
    return [a.pk for a in queryset.order_by("-published_at", "-id")[:n]] if n > 0 else []


def step_by_step():
    """The obvious way: the module's rules, one ORM query per step."""
    visible = Article.objects.published().stories()
    live = FrontPageSlot.objects.filter(article__in=visible)
    lead = live.filter(block=Slot.LEAD).values_list("article_id", flat=True).first()
    top = list(live.filter(block=Slot.TOP, position__lt=TOP_COUNT).order_by("position")
               .values_list("article_id", flat=True))
    nav = list(Section.objects.navigation())
    pins = {}
    for slot in live.filter(block=Slot.SECTION, section__in=nav).select_related("article"):
        if slot.article.section_id == slot.section_id:
            pins[slot.section_id] = slot.article_id
    placed = {lead, *top, *pins.values()} - {None}
    if lead is None:
        lead = (newest(visible.filter(featured=True).exclude(pk__in=placed), 1)
                or newest(visible.exclude(pk__in=placed), 1) or [None])[0]
        placed.add(lead)
    top += newest(visible.filter(featured=True).exclude(pk__in=placed), TOP_COUNT - len(top))
    placed |= set(top)
    top += newest(visible.exclude(pk__in=placed), TOP_COUNT - len(top))
    placed |= set(top)
    latest = newest(visible.exclude(pk__in=placed), LATEST_COUNT)
    placed |= set(latest)
    blocks = []
    for section in nav:
        pin = pins.get(section.pk)
        items = ([pin] if pin else []) + newest(
            visible.filter(section=section).exclude(pk__in=placed),
            SECTION_BLOCK_SIZE - bool(pin))
        placed |= set(items)
        if items:
            blocks.append((section.pk, items))
    return lead, top, latest, blocks


def got(page):
    return (page.lead.pk if page.lead else None, [a.pk for a in page.top],
            [a.pk for a in page.latest],
            [(s.pk, [a.pk for a in items]) for s, items in page.section_blocks])


def random_site(make_article, rng):
    now = timezone.now()
    sections = ["World", "Business", "Science", "Sport"][: rng.randint(1, 4)]
    articles = []
    for n in range(rng.randint(0, 70)):
        articles.append(make_article(
            f"Story {n}", section=rng.choice(sections + [None]),
            status=rng.choice(["published"] * 6 + ["draft", "scheduled"]),
            # Ties in time are common in imports: the order falls back to the id.
            published_at=now - dt.timedelta(hours=rng.choice([rng.randint(1, 400), 5])),
            featured=rng.random() < 0.3,
        ))
    Article.objects.filter(headline__endswith="7").update(kind=Article.Kind.PAGE)
    if rng.random() < 0.5:
        Section.objects.filter(name="Business").update(in_navigation=False)
    return articles


def random_curation(rng, articles):
    """Slots as they can drift after curation: drafts, pages, future stories, moved ones."""
    # Often the newest: curated stories then crowd the automatic blocks' candidates.
    if rng.random() < 0.5:
        articles = sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)[:14]
    pool = rng.sample(articles, min(len(articles), rng.randint(0, 12)))
    slots = []
    if pool and rng.random() < 0.7:
        slots.append(FrontPageSlot(block=Slot.LEAD, article=pool.pop()))
    for position in range(rng.randint(0, TOP_COUNT + 1)):
        if pool:
            slots.append(FrontPageSlot(block=Slot.TOP, position=position, article=pool.pop()))
    for section in Section.objects.all():
        if pool and rng.random() < 0.7:
            article = pool.pop()
            slots.append(FrontPageSlot(block=Slot.SECTION, section=section, article=article))
    FrontPageSlot.objects.bulk_create(slots)


@pytest.mark.parametrize("seed", range(16))
def test_blocks_equal_the_rules_applied_one_query_at_a_time(make_article, seed):
    rng = random.Random(seed)
    articles = random_site(make_article, rng)
    if seed % 2:
        random_curation(rng, articles)
    page = front_page_stories()
    assert got(page) == step_by_step()
    ids = [a.pk for a in page.shown]
    assert len(ids) == len(set(ids)), "a story appears twice"


def test_without_curation_the_newest_featured_leads_and_recency_fills(make_article):
    old_featured = make_article("Old featured", featured=True,
                                published_at=timezone.now() - dt.timedelta(days=3))
    stories = [make_article(f"Story {n}", published_at=timezone.now() - dt.timedelta(hours=n + 1))
               for n in range(20)]
    page = front_page_stories()
    assert page.lead == old_featured
    assert page.top == stories[:TOP_COUNT]
    assert page.latest == stories[TOP_COUNT:TOP_COUNT + LATEST_COUNT]
    world = dict(page.section_blocks)
    assert [a.headline for a in next(iter(world.values()))] == [
        a.headline for a in stories[TOP_COUNT + LATEST_COUNT:][:SECTION_BLOCK_SIZE]]
    assert page.featured == [page.lead, *page.top]  # the name templates used before


def test_scheduled_stories_appear_only_when_due(make_article):
    now = timezone.now()
    make_article("Due", status="scheduled", published_at=now - dt.timedelta(minutes=1))
    make_article("Not yet", status="scheduled", published_at=now + dt.timedelta(hours=1))
    headlines = [a.headline for a in front_page_stories().shown]
    assert headlines == ["Due"]


def test_query_count_does_not_depend_on_sections_or_curation(make_article,
                                                             django_assert_num_queries):
    stories = [make_article(f"Story {n}", section=f"Section {n}") for n in range(12)]
    FrontPageSlot.objects.create(block=Slot.LEAD, article=stories[5])
    FrontPageSlot.objects.create(block=Slot.TOP, position=0, article=stories[7])
    FrontPageSlot.objects.create(block=Slot.SECTION, section=stories[9].section,
                                 article=stories[9])
    with django_assert_num_queries(4):  # sections, the candidates, the stories, their bylines
        page = front_page_stories()
    assert page.lead == stories[5] and page.top[0] == stories[7]


def test_curating_the_newest_stories_still_fills_every_block(make_article):
    # Mostly without a section: then only the "newest" candidates can fill the latest.
    stories = [make_article(f"Story {n}", featured=n % 2 == 0,
                            section=["World", "Sport", None, None][n % 4],
                            published_at=timezone.now() - dt.timedelta(hours=n + 1))
               for n in range(80)]
    sport = Section.objects.get(name="Sport")
    FrontPageSlot.objects.bulk_create(
        [FrontPageSlot(block=Slot.LEAD, article=stories[0]),
         FrontPageSlot(block=Slot.SECTION, section=sport, article=stories[1])]
        + [FrontPageSlot(block=Slot.TOP, position=n, article=stories[n + 2])
           for n in range(TOP_COUNT)])
    page = front_page_stories()
    assert got(page) == step_by_step()
    assert page.lead == stories[0] and page.top == stories[2:2 + TOP_COUNT]
    assert len(page.latest) == LATEST_COUNT
    assert [len(items) for _, items in page.section_blocks] == [SECTION_BLOCK_SIZE] * 2
    assert dict(page.section_blocks)[sport][0] == stories[1]
