"""Surrogate keys: every cacheable page says what it shows, so a change purges exactly those pages.

Views and template tags call `add(request, *keys)` while rendering; the page cache (and any CDN
in front, through the `Surrogate-Key` / `Cache-Tag` headers) stores the keys with the page and
purges by key. The key scheme, shared by every app:

- `site`                 every HTML page (navigation, site name, settings)
- `page:<article id>`    the article's own page (its body, comments, related list)
- `a:<article id>`       any page that shows the article (teaser, related link, feed item)
- `front`                the front page
- `section:<id>`, `tag:<id>`, `author:<id>`   listings and their feeds
- `near-section:<id>`, `near-tag:<id>`   article pages whose related block is drawn from that
                         listing (purged when an article joins the section or tag)
- `feed`                 the site-wide feeds; `comments` the comment feeds
- `sitemap`              sitemaps
- `search`               search result pages
"""

from __future__ import annotations

HEADER = "Surrogate-Key"


def add(request, *keys: str) -> None:
    if request is None:
        return
    bucket = getattr(request, "surrogate_keys", None)
    if bucket is None:
        bucket = request.surrogate_keys = set()
    bucket.update(k for k in keys if k)


def article_keys(articles) -> list[str]:
    return [f"a:{a.pk}" for a in articles]


def keys_of(request) -> set[str]:
    return set(getattr(request, "surrogate_keys", ()) or ())
