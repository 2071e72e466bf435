"""Highlighted snippets: engines mark matches with control characters, we turn them into HTML.

Both engines are asked to wrap matches in START/END (ASCII STX/ETX) instead of HTML, so that the
snippet text can be escaped as a whole and only then given `<mark>` elements: nothing an author
wrote can become markup. The markers are stripped from every indexed text (`clean`), so they
only ever come from the engine.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START = "\x02"
END = "\x03"
_MARKED = re.compile(f"{START}([^{START}{END}]*){END}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    """Text fit for the index: no control characters (so no stray markers)."""
    return _CONTROL.sub(" ", text or "")


def to_html(marked: str) -> SafeString:
    """Escape the snippet, then wrap each marked match in `<mark>`."""
    html = _MARKED.sub(r"<mark>\1</mark>", escape(marked or ""))
    return mark_safe(html.replace(START, "").replace(END, ""))  # noqa: S308 - escaped above


def plain(marked: str) -> str:
    return (marked or "").replace(START, "").replace(END, "")
