"""Feeds that cannot be broken by a stray character (issue 15, item 1).

Django's XML feed writer raises `UnserializableContentError` on a C0 control character, so
one form feed in one article took the site's RSS and Atom feeds down. Every feed generator
mixes in `Writable`, which passes every string the feed and its items are given through
`text.clean_text` before the generator sees it.
"""

from __future__ import annotations

from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed

from .text import clean_text


def _writable(value):
    """`value` with every string in it cleaned (lists, tuples, dicts and enclosures walked)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_writable(v) for v in value)
    if isinstance(value, dict):
        return {k: _writable(v) for k, v in value.items()}
    if isinstance(value, Enclosure):
        return Enclosure(_writable(value.url), _writable(value.length),
                         _writable(value.mime_type))
    return value


class Writable:
    """Cleans the feed's and each item's strings before Django's generator sees them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_writable, args), **_writable(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_writable, args), **_writable(kwargs))


class Rss(Writable, Rss201rev2Feed):
    """Django's RSS 2.0, cleaned."""


class Atom(Writable, Atom1Feed):
    """Django's Atom 1.0, cleaned."""
