"""What a saved article page says about itself: JSON-LD, OpenGraph and `<meta>` tags.

Owns reading the structured metadata that news sites publish for search engines and social
networks — headline, byline, publication time, lead image, description, canonical URL, tags
and, when present, the JSON-LD `articleBody` — into one `PageMetadata`. It never looks at the
visible article text; `sources.html` combines the two. Sources are tried most specific first:
the page's JSON-LD `NewsArticle`/`Article`/`BlogPosting` object, then OpenGraph/`article:*`
properties, then plain `<meta name=...>`, then trafilatura's own metadata heuristics (which
also search the visible page for a byline and a date).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from trafilatura import extract_metadata

# schema.org types whose object describes the article itself (not the site or a breadcrumb).
ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicnewsarticle",
    "liveblogposting",
    "techarticle",
    "scholarlyarticle",
    "satiricalarticle",
    "report",
    "socialmediaposting",
    "posting",
}
MAX_TAGS = 10  # keyword lists meant for search engines can run to dozens of phrases

_SPACE_RE = re.compile(r"\s+")
_BYLINE_PREFIX_RE = re.compile(r"^(?:by|from|von|par|por|di)\s+", re.IGNORECASE)
_TITLE_SEPARATOR_RE = re.compile(r"\s+[|\-–—:·•»]{1,2}\s+")
_SUFFIX_RE = re.compile(
    r"(?:jr|sr|ii|iii|iv|phd|ph\.d|md|m\.d|rd|rn|msc|ms|ma|mba|mph|dds|esq|cpa)\.?", re.I
)
_PLACEHOLDER_RE = re.compile(
    r"(?:no author|admin|administrator|unknown|anonymous|guest|author|editor|staff|null)", re.I
)
_NAME_SPLIT_RE = re.compile(r"\s*(?:;|\||,\s*and\s+|\s+and\s+|\s+&\s+|,)\s*")


@dataclass
class PageMetadata:
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    description: str = ""
    image_url: str = ""
    image_alt: str = ""
    image_caption: str = ""
    canonical_url: str = ""
    site_name: str = ""
    tags: list[str] = field(default_factory=list)
    article_body: str = ""  # JSON-LD articleBody, "" when the page has none


def clean_text(value: object) -> str:
    """One line of text: whitespace collapsed; non-strings (JSON numbers, null) become ""."""
    if not isinstance(value, str):
        return ""
    return _SPACE_RE.sub(" ", value).strip()


def read_metadata(tree, url: str = "") -> PageMetadata:
    """Everything the page declares about the article; missing fields stay empty."""
    meta = _meta_tags(tree)
    article = _jsonld_article(tree)
    fallback = extract_metadata(tree, default_url=url or None)
    base = _absolute_base(tree, url)

    result = PageMetadata()
    result.site_name = meta.get("og:site_name", "") or clean_text(fallback.sitename)
    host = urlsplit(url or clean_text(fallback.url)).hostname or ""
    result.title = _title(
        [
            clean_text(article.get("headline")),
            meta.get("og:title", ""),
            meta.get("twitter:title", ""),
            clean_text(fallback.title),
            _first_h1(tree),
        ],
        [result.site_name, host.removeprefix("www.").split(".")[0]],
    )

    result.authors = _names(article.get("author"), article)
    if not result.authors:
        for key in ("author", "article:author", "byl", "parsely-author", "sailthru.author"):
            result.authors = [n for n in split_names(meta.get(key, "")) if not _is_url(n)]
            if result.authors:
                break
    if not result.authors and fallback.author:
        result.authors = split_names(fallback.author)
    result.authors = _people(result.authors, result.site_name)

    result.published_at = (
        parse_datetime(article.get("datePublished"))
        or _first_datetime(
            meta,
            "article:published_time",
            "og:published_time",
            "datepublished",
            "pubdate",
            "publishdate",
            "publish-date",
            "date",
            "dc.date",
            "dc.date.issued",
            "sailthru.date",
            "parsely-pub-date",
            "dcterms.created",
        )
        or _itemprop_datetime(tree, "datePublished")
        or parse_datetime(fallback.date)
    )
    result.updated_at = parse_datetime(article.get("dateModified")) or _first_datetime(
        meta, "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified"
    )

    result.description = (
        clean_text(article.get("description"))
        or meta.get("og:description", "")
        or meta.get("description", "")
        or meta.get("twitter:description", "")
    )
    image = _image(article.get("image"))
    result.image_url = (
        image.get("url", "")
        or meta.get("og:image", "")
        or meta.get("twitter:image", "")
        or clean_text(fallback.image)
    )
    result.image_alt = meta.get("og:image:alt", "") or meta.get("twitter:image:alt", "")
    result.image_caption = image.get("caption", "")
    if result.image_url:
        result.image_url = _http_url(urljoin(base, result.image_url))

    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    declared = (canonical[0].strip() if canonical else "") or meta.get("og:url", "")
    result.canonical_url = _http_url(urljoin(base, declared)) if declared else ""
    result.tags = _tags(meta, article)
    body = article.get("articleBody")
    result.article_body = body.strip() if isinstance(body, str) else ""
    return result


def _title(candidates: list[str], site_names: list[str]) -> str:
    """The first headline given, without a " | Site name" tail and not cut short by "…"."""
    candidates = [html_lib.unescape(c) for c in candidates if c]
    if not candidates:
        return ""
    title = candidates[0]
    stem = title.rstrip(".… ")
    if stem != title.rstrip():  # cut to a length limit (JSON-LD headlines often are)
        longer = [c for c in candidates[1:] if c.startswith(stem) and len(c) > len(stem) + 1]
        title = longer[0] if longer else title
    wanted = [_squash(n) for n in site_names if len(_squash(n)) >= 3]
    for match in _TITLE_SEPARATOR_RE.finditer(title):
        tail = _squash(title[match.end() :])
        if (
            match.start() >= 10
            and len(tail) >= 3
            and any(tail.startswith(n) or n.startswith(tail) for n in wanted)
        ):
            return title[: match.start()].strip()
    return title


def _first_h1(tree) -> str:
    for node in tree.iter("h1"):
        text = clean_text(node.text_content())
        if text:
            return text
    return ""


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _people(names: list[str], site_name: str) -> list[str]:
    """Bylines without credentials, placeholders and the publication's own name."""
    people: list[str] = []
    for name in names:
        if _SUFFIX_RE.fullmatch(name) and people:
            if name.rstrip(".").lower() in {"jr", "sr", "ii", "iii", "iv"}:
                people[-1] = f"{people[-1]}, {name}"
            continue
        if _PLACEHOLDER_RE.fullmatch(name) or name.lower().endswith(" says") or len(name) > 60:
            continue
        people.append(name)
    site = _squash(site_name)
    if len(people) > 1 and site:
        people = [p for p in people if _squash(p) != site] or people
    return people


# --- <meta> tags -------------------------------------------------------------------------------


def _meta_tags(tree) -> dict[str, str]:
    """First non-empty value per lower-cased name/property/itemprop of every `<meta>`."""
    found: dict[str, str] = {}
    for node in tree.iter("meta"):
        key = node.get("property") or node.get("name") or node.get("itemprop") or ""
        value = clean_text(node.get("content"))
        key = key.strip().lower()
        if key and value and key not in found:
            found[key] = value
    return found


def _first_datetime(meta: dict[str, str], *keys: str) -> dt.datetime | None:
    for key in keys:
        value = parse_datetime(meta.get(key))
        if value:
            return value
    return None


def _itemprop_datetime(tree, prop: str) -> dt.datetime | None:
    for node in tree.xpath(f'//*[@itemprop="{prop}"]'):
        value = parse_datetime(node.get("datetime") or node.get("content"))
        if value:
            return value
    return None


def _tags(meta: dict[str, str], article: dict) -> list[str]:
    raw = article.get("keywords")
    values: list[str] = []
    if isinstance(raw, list):
        values = [clean_text(v) for v in raw]
    elif isinstance(raw, str):
        values = raw.split(",")
    if not values and meta.get("article:tag"):
        values = meta["article:tag"].split(",")
    tags: list[str] = []
    for value in values:
        value = clean_text(value)
        # long "keywords" are SEO phrases, not tags an editor would file the story under
        if value and len(value) <= 40 and value.lower() not in {t.lower() for t in tags}:
            tags.append(value)
    return tags[:MAX_TAGS]


# --- JSON-LD -----------------------------------------------------------------------------------


def _jsonld_objects(tree) -> list[dict]:
    """Every JSON object in the page's JSON-LD blocks, `@graph` and lists flattened."""
    objects: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = (script.text or "").strip()
        # some CMSs wrap the JSON in a CDATA section or an HTML comment
        text = re.sub(r"^(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)$", "", text).strip()
        try:
            data = json.loads(text, strict=False)  # strict=False: raw newlines in strings
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                    if isinstance(item.get(key), (dict, list)):
                        stack.append(item[key])
    return objects


def _types(obj: dict) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _jsonld_article(tree) -> dict:
    """The JSON-LD object describing the article: the one with the longest body, else the
    first article-typed one; `_by_id` lets `author: {"@id": ...}` references be followed."""
    objects = _jsonld_objects(tree)
    articles = [o for o in objects if _types(o) & ARTICLE_TYPES]
    if not articles:
        return {}
    best = max(articles, key=lambda o: (len(clean_text(o.get("articleBody"))), "headline" in o))
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    return {**best, "_by_id": by_id}


def _names(value: object, article: dict) -> list[str]:
    by_id = article.get("_by_id", {})
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and item.get("@id") in by_id:
            item = by_id[item["@id"]]
        if isinstance(item, dict):
            item = item.get("name")
            if isinstance(item, list):  # a few sites give name as a one-element list
                item = item[0] if item else ""
        for name in split_names(item if isinstance(item, str) else ""):
            if not _is_url(name) and name.lower() not in {n.lower() for n in names}:
                names.append(name)
    return names


def _image(value: object) -> dict[str, str]:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return {"url": value.strip()}
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl") or ""
        return {
            "url": url.strip() if isinstance(url, str) else "",
            "caption": clean_text(value.get("caption")),
        }
    return {}


# --- values ------------------------------------------------------------------------------------


def split_names(value: str) -> list[str]:
    """A byline as a list of names: "By A, B and C" → ["A", "B", "C"]."""
    value = clean_text(value)
    value = _BYLINE_PREFIX_RE.sub("", value)
    names = []
    for part in _NAME_SPLIT_RE.split(value):
        part = _BYLINE_PREFIX_RE.sub("", part.strip(" .·-–—"))
        if part and part.lower() not in {n.lower() for n in names}:
            names.append(part)
    return names


def parse_datetime(value: object) -> dt.datetime | None:
    """An aware datetime from ISO 8601 or RFC 2822 text; None when it is not a date.

    A bare date is taken as noon UTC so the calendar day survives display in any time zone
    from UTC-11 to UTC+11; a time without a zone is taken as UTC (the page gives no other).
    """
    text = clean_text(value)
    if not text or not text[:4].isdigit() and "," not in text:
        return None
    candidates = [text, text.replace(" ", "T", 1)]
    if re.fullmatch(r".*[+-]\d{4}", text):  # +0100 → +01:00 for fromisoformat
        candidates.append(text[:-2] + ":" + text[-2:])
    parsed = None
    for candidate in candidates:
        try:
            parsed = dt.datetime.fromisoformat(candidate.replace("Z", "+00:00"))
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if len(text) == 10 and text[4] == "-":
        parsed = parsed.replace(hour=12)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    if not 1990 <= parsed.year <= dt.date.today().year + 1:
        return None
    return parsed


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "www.", "/"))


def _http_url(value: str) -> str:
    return value if urlsplit(value).scheme in {"http", "https"} else ""


def _absolute_base(tree, url: str) -> str:
    base = tree.xpath("//base/@href")
    return urljoin(url, base[0].strip()) if base else url
