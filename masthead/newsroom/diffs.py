"""Side-by-side differences between two revisions of an article, as escaped HTML tables.

`difflib.HtmlDiff` escapes the compared text itself but not the column headings, so those are
escaped here; the control characters it uses internally as change markers are removed from
the input so that no text can forge its markup.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.articles.models import Author, Section
from masthead.media.models import Image

# (key in Revision.data, label), in the order an editor reads an article.
FIELDS = [
    ("headline", "Headline"), ("slug", "Slug"), ("standfirst", "Standfirst"), ("body", "Body"),
    ("section", "Section"), ("tags", "Tags"), ("authors", "Authors"),
    ("lead_image", "Lead image"), ("lead_image_alt", "Lead image alt text"),
    ("lead_image_caption", "Lead image caption"), ("status", "Status"),
    ("published_at", "Publication time"), ("featured", "Featured"),
    ("comments_enabled", "Comments open"), ("kind", "Type"),
]
_MARKERS = str.maketrans("", "", "\x00\x01")


@dataclass
class FieldDiff:
    label: str
    table: SafeString


def _lines(key: str, value, names: dict) -> list[str]:
    if value is None or value == "":
        return []
    if key == "section":
        value = names["sections"].get(value, f"(deleted section {value})")
    elif key == "authors":
        value = ", ".join(names["authors"].get(a, f"(deleted author {a})") for a in value)
    elif key == "lead_image":
        value = names["images"].get(value, f"(deleted image {value})")
    elif key == "tags":
        value = ", ".join(value)
    return str(value).translate(_MARKERS).splitlines() or [""]


def _names(data_a: dict, data_b: dict) -> dict:
    sections = {data_a.get("section"), data_b.get("section")} - {None}
    authors = set(data_a.get("authors") or []) | set(data_b.get("authors") or [])
    images = {data_a.get("lead_image"), data_b.get("lead_image")} - {None}
    return {
        "sections": dict(Section.objects.filter(pk__in=sections).values_list("pk", "name")),
        "authors": dict(Author.objects.filter(pk__in=authors).values_list("pk", "name")),
        "images": {i.pk: f"#{i.pk} {i}" for i in Image.objects.filter(pk__in=images)},
    }


def compare(older, newer) -> list[FieldDiff]:
    """One table per field that differs between two revisions (older on the left)."""
    data_a, data_b = older.data or {}, newer.data or {}
    names = _names(data_a, data_b)
    label_a = escape(_describe(older))
    label_b = escape(_describe(newer))
    out = []
    for key, label in FIELDS:
        a, b = _lines(key, data_a.get(key), names), _lines(key, data_b.get(key), names)
        if a == b:
            continue
        table = difflib.HtmlDiff(tabsize=4, wrapcolumn=70).make_table(
            a, b, fromdesc=label_a, todesc=label_b, context=key == "body", numlines=2,
        )
        out.append(FieldDiff(label, mark_safe(table)))  # noqa: S308 - escaped, see docstring
    return out


def _describe(revision) -> str:
    who = revision.created_by.get_username() if revision.created_by else "system"
    return f"{revision.created_at:%Y-%m-%d %H:%M:%S} · {who}"
