"""Reader URLs built without `reverse()` are exactly what `reverse()` builds."""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from masthead.articles.paths import LISTINGS, article_path, listing_path

slugs = st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True)
anything = st.text(max_size=20)


@given(name=st.sampled_from(sorted(LISTINGS)), slug=slugs)
def test_listing_paths_equal_reverse(name, slug):
    assert listing_path(name, slug) == reverse(f"articles:{name}", args=[slug])


@given(day=st.dates(), slug=slugs)
def test_article_paths_equal_reverse(day, slug):
    assert article_path(day, slug) == reverse("articles:article", kwargs={
        "year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}", "slug": slug})


@given(name=st.sampled_from(sorted(LISTINGS)), slug=anything)
def test_a_slug_reverse_refuses_is_refused_the_same_way(name, slug):
    try:
        expected = reverse(f"articles:{name}", args=[slug])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            listing_path(name, slug)
        with pytest.raises(NoReverseMatch):
            article_path(dt.date(2026, 1, 2), slug)
    else:
        assert listing_path(name, slug) == expected


def test_the_script_prefix_is_kept():
    set_script_prefix("/news/")
    try:
        assert listing_path("tag", "climate") == reverse("articles:tag", args=["climate"]) \
            == "/news/tag/climate/"
        assert article_path(dt.date(2026, 3, 4), "x") == "/news/2026/03/04/x/"
    finally:
        set_script_prefix("/")
