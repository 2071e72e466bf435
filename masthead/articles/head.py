"""`article_head(article)`: the article page's canonical link, OpenGraph/Twitter tags and JSON-LD.

JSON-LD `NewsArticle` and `BreadcrumbList` are built as dicts and serialised with the `<`, `>`
and `&` escaped, so a headline can never close the script element.
"""

from __future__ import annotations

import json
from html import escape

from django.conf import settings
from django.utils.safestring import mark_safe

from masthead.core.html import html_text_opening
from masthead.core.text import summarise

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


def describe(article) -> str:
    """The standfirst, or the opening of the body when there is none (never empty meta)."""
    return article.standfirst or summarise(html_text_opening(article.body_html, 200), 200)


def image_alt(article) -> str:
    """The lead image's text for this article, else the library's own alt text."""
    return article.lead_image_alt or (article.lead_image.alt if article.lead_image else "")


def news_article_data(article, description: str | None = None) -> list[dict]:
    url = _absolute(article.get_absolute_url())
    authors = article.byline_authors
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline[:110],
        "description": describe(article) if description is None else description,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (article.updated_at or article.published_at).isoformat()
        if article.published_at else None,
        "author": [
            {"@type": "Person", "name": a.name, "url": _absolute(a.get_absolute_url())}
            for a in authors
        ],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME,
                      "url": settings.SITE_URL + "/"},
        "articleSection": article.section.name if article.section else None,
        "keywords": [t.name for t in article.tags.all()],
        "wordCount": article.word_count,
        "inLanguage": settings.SITE_LANGUAGE,
    }
    if article.lead_image and article.lead_image.url:
        # URLs, as Google's article guidelines show them; og:image carries the size.
        data["image"] = [_absolute(article.lead_image.url)]
    crumbs = [("Home", settings.SITE_URL + "/")]
    if article.section:
        crumbs.append((article.section.name, _absolute(article.section.get_absolute_url())))
    crumbs.append((article.headline, url))
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": item}
            for i, (name, item) in enumerate(crumbs, start=1)
        ],
    }
    return [{k: v for k, v in data.items() if v not in (None, "", [])}, breadcrumbs]


def article_head(article):
    url = _absolute(article.get_absolute_url())
    description = describe(article)
    tags = [
        ("og:type", "article"),
        ("og:site_name", settings.SITE_NAME),
        ("og:title", article.headline),
        ("og:description", description),
        ("og:url", url),
    ]
    if article.published_at:
        tags.append(("article:published_time", article.published_at.isoformat()))
        tags.append(("article:modified_time", article.updated_at.isoformat()))
    if article.section:
        tags.append(("article:section", article.section.name))
    image = article.lead_image if article.lead_image and article.lead_image.url else None
    if image:
        # The stored main file (JPEG unless it has transparency, at most 2,400 px wide):
        # the one format every link preview understands.
        tags.append(("og:image", _absolute(image.url)))
        if image.width and image.height:
            tags.append(("og:image:width", image.width))
            tags.append(("og:image:height", image.height))
        if image_alt(article):
            tags.append(("og:image:alt", image_alt(article)))
    card = "summary_large_image" if image else "summary"
    scripts = "".join(
        '<script type="application/ld+json">'
        + json.dumps(block, ensure_ascii=False).translate(_JSON_ESCAPES)
        + "</script>"
        for block in news_article_data(article, description)
    )
    # `html.escape` is what Django's `escape` (and so `format_html`) applies, at a fraction of
    # the cost of going through `format_html` for each of a dozen tags.
    metas = "\n".join(f'<meta property="{escape(name)}" content="{escape(str(value))}">'
                      for name, value in tags)
    return mark_safe(  # noqa: S308 - every value escaped here; JSON with <, >, & escaped above
        f'<link rel="canonical" href="{escape(url)}">\n{metas}\n'
        f'<meta name="twitter:card" content="{card}">\n'
        f'<meta name="description" content="{escape(description)}">\n{scripts}'
    )
