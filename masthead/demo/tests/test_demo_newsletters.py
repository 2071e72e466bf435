"""The demo defines newsletters, so a new user sees the sign-up form on article pages."""

from __future__ import annotations

import pytest

from masthead.articles.models import Article
from masthead.demo.loader import load_demo
from masthead.newsletters import blocks
from masthead.newsletters.models import Newsletter

pytestmark = pytest.mark.django_db


def test_the_demo_offers_a_daily_briefing_and_breaking_news_on_article_pages(client):
    load_demo()
    load_demo()  # idempotent
    newsletters = {n.slug: n for n in Newsletter.objects.all()}
    assert set(newsletters) == {"morning-briefing", "breaking-news"}
    assert newsletters["morning-briefing"].kind == "digest"
    assert newsletters["breaking-news"].kind == "manual"  # articles can be sent to it
    blocks.forget_offer()
    article = Article.objects.published().first()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'action="/newsletters/subscribe/"' in page
    assert "The Morning Briefing" in page and "Breaking news" in page
