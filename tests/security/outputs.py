"""What every public output must be, whatever text went in: checked by the security tests.

`assert_outputs_valid` fetches every page, feed, sitemap and API answer that can show an
article and checks each is a 200 in its own format, parsed strictly (XML 1.0 by lxml without
recovery, JSON by the standard parser, HTML without live markup). `live_markup` lists what in
an HTML page could run: scripts other than our static files and JSON-LD, event-handler
attributes, `javascript:`/`data:` URLs, and elements that load or frame other documents.
"""

from __future__ import annotations

import json
import re

from lxml import etree
from lxml import html as lxml_html

_DANGEROUS_URL = re.compile(r"^\s*(?:javascript|vbscript|data):", re.I)


def live_markup(html: str) -> list[str]:
    """Everything in `html` that a browser could execute or use to load foreign content."""
    if not html.strip():
        return []
    tree = lxml_html.fromstring(html)
    found = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").lower()
        src = script.get("src") or ""
        if kind == "application/ld+json" or (src.startswith("/static/") and not script.text):
            continue
        found.append(f"script {src or (script.text or '')[:60]!r}")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("iframe", "object", "embed", "base", "frame", "applet"):
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{element.tag}[{name}]")
            if name.lower() in ("href", "src", "action", "formaction", "srcset", "xlink:href") \
                    and _DANGEROUS_URL.match(re.sub(r"[\x00-\x20]", "", value)):
                found.append(f"{element.tag}[{name}={value[:40]!r}]")
        if element.tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append("meta refresh")
    return found


def _check(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    content_type = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "json" in content_type:
        json.loads(body)
    elif "xml" in content_type:
        etree.fromstring(body, etree.XMLParser(recover=False, resolve_entities=False))
    elif "html" in content_type:
        assert live_markup(body.decode()) == [], (path, live_markup(body.decode()))


def assert_outputs_valid(client, articles=()) -> None:
    """Every output showing `articles`: their pages, their scopes' feeds, site-wide ones."""
    paths = ["/", "/feed/", "/feed/atom/", "/feed.json", "/comments/feed/",
             "/comments/feed/atom/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt",
             "/api/v1/articles/", "/api/v1/sections/", "/api/v1/tags/", "/api/v1/authors/",
             "/search/?q=harbour", "/api/v1/search/?q=harbour"]
    for article in articles:
        paths += [article.get_absolute_url(), f"/api/v1/articles/{article.pk}/",
                  f"/comments/feed/{article.pk}/", f"/comments/feed/{article.pk}/atom/"]
        scopes = [f"/author/{a.slug}/" for a in article.byline_authors]
        scopes += [f"/tag/{t.slug}/" for t in article.tags.all()]
        if article.section_id:
            scopes.append(f"/section/{article.section.slug}/")
        for scope in scopes:
            paths += [scope, scope + "feed/", scope + "feed/atom/", scope + "feed.json"]
    index = client.get("/sitemap.xml").content  # the index names its pages: follow them
    for loc in etree.fromstring(index).iter("{*}loc"):
        paths.append(re.sub(r"^https?://[^/]+", "", loc.text))
    for path in dict.fromkeys(paths):
        _check(client, path)
