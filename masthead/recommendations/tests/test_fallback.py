"""The tag-or-section fallback read through the tag links' listing index gives the list the
plain join gave: same stories, same order, whatever mix of drafts, pages, future and past
stories, shared and unshared tags the site holds."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from masthead.articles.models import Article
from masthead.recommendations.fallback import latest_sharing_tags_or_section

TAGS = ("Harbour", "Council", "Ferries", "Storms", "Budget")


def _by_join(article, n):
    """The fallback as it was written before the listing index (the reference)."""
    visible = Article.objects.published().stories().exclude(pk=article.pk)
    tag_ids = [t.pk for t in article.tags.all()]
    picked = []
    if tag_ids:
        picked = list(visible.filter(tags__in=tag_ids).distinct().for_listing()[:n])
    if len(picked) < n and article.section_id:
        picked.extend(visible.filter(section_id=article.section_id).exclude(
            pk__in=[a.pk for a in picked]).for_listing()[: n - len(picked)])
    return picked


@pytest.mark.parametrize("seed", range(4))
def test_the_indexed_fallback_equals_the_join(make_article, seed):
    rng = random.Random(seed)
    now = timezone.now()
    same_time = now - dt.timedelta(hours=5)  # ties on published_at are settled by id
    articles = []
    for i in range(36):
        status = rng.choice(["published"] * 6 + ["draft", "scheduled"])
        when = (same_time if rng.random() < 0.2 else
                now + dt.timedelta(hours=rng.choice([-200, -30, -2, 3])) * rng.random())
        articles.append(make_article(
            f"Story {seed}-{i}", status=status,
            published_at=None if status == "draft" else when,
            section=rng.choice(["World", "Sport", None]),
            tags=rng.sample(TAGS, rng.randint(0, 3)),
            kind=rng.choice(["article"] * 7 + ["page"])))
    for article in articles:
        for n in (1, 4, 9):
            assert ([a.pk for a in latest_sharing_tags_or_section(article, n)]
                    == [a.pk for a in _by_join(article, n)]), (article.headline, n)
