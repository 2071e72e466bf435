"""Reader URLs for articles, sections, tags, authors and standing pages, built without
`reverse()`.

Every teaser, byline, tag and navigation link calls one of these: the front page links about
75 things, and Django's `reverse()` cost ~12 µs a call, 0.9 ms of an uncached front page
(docs/performance.md, "Where the time goes"). These give exactly the string `reverse()` gives
for the patterns of `urls.py` (a Hypothesis test compares them), and hand any value the
pattern would refuse to `reverse()` itself, so a bad slug still raises `NoReverseMatch`.
"""

from __future__ import annotations

import datetime as dt
import re

from django.urls import get_script_prefix, reverse

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")  # Django's <slug:> converter
# URL prefix of each listing's pattern in urls.py, by URL name.
LISTINGS = {"section": "section", "tag": "tag", "author": "author", "page": "pages"}


def listing_path(name: str, slug: str) -> str:
    """`reverse("articles:<name>", args=[slug])` for section, tag, author and page."""
    if isinstance(slug, str) and _SLUG.match(slug):
        return f"{get_script_prefix()}{LISTINGS[name]}/{slug}/"
    return reverse(f"articles:{name}", args=[slug])


def article_path(day: dt.date, slug: str) -> str:
    """`reverse("articles:article", ...)`: /<year>/<month>/<day>/<slug>/."""
    if isinstance(slug, str) and _SLUG.match(slug):
        return f"{get_script_prefix()}{day.year}/{day.month:02d}/{day.day:02d}/{slug}/"
    return reverse("articles:article", kwargs={
        "year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}", "slug": slug})
