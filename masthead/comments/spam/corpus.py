"""Labelled comments as files: the `comments train`/`classify` JSON Lines format, and where the
shared YouTube corpus lives for the benchmark and tests.

Format (CONTRACT): one object a line, `{"body", "author"?, "url"?, "label": "spam"|"ham"}`.
`"text"` is accepted for `"body"` so the YouTube Spam Collection file can be used as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from masthead import config

from .text import CommentText

LABELS = {"spam": True, "ham": False}


class LabelledDataError(ValueError):
    """A line of a labelled-comments file that cannot be used; the message names the line."""


def parse_line(line: str, number: int, need_label: bool = True) -> tuple[CommentText, bool | None]:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise LabelledDataError(f"line {number}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise LabelledDataError(f"line {number}: expected a JSON object")
    body = record.get("body", record.get("text"))
    if not isinstance(body, str):
        raise LabelledDataError(f'line {number}: "body" must be a string')
    fields = {}
    for name in ("author", "url"):
        value = record.get(name, "")
        if not isinstance(value, str):
            raise LabelledDataError(f'line {number}: "{name}" must be a string')
        fields[name] = value
    if not need_label:
        return CommentText(body=body, **fields), None
    label = record.get("label")
    if label not in LABELS:
        raise LabelledDataError(f'line {number}: "label" must be "spam" or "ham"')
    return CommentText(body=body, **fields), LABELS[label]


def read_labelled(lines: Iterable[str]) -> list[tuple[CommentText, bool]]:
    """All (comment, is_spam) pairs of a file's lines, blank lines skipped; first error raises."""
    return [
        parse_line(line, n)  # type: ignore[misc]
        for n, line in enumerate(lines, start=1)
        if line.strip()
    ]


def read_unlabelled(lines: Iterable[str]) -> list[tuple[int, CommentText]]:
    """(line number, comment) for `comments classify`; any "label" is ignored."""
    return [
        (n, parse_line(line, n, need_label=False)[0])
        for n, line in enumerate(lines, start=1)
        if line.strip()
    ]


def shared_data_dir() -> Path:
    """The read-only shared data folder: `$MASTHEAD_SHARED_DATA`, else `<repo>/../shared/data`."""
    given = config.env("MASTHEAD_SHARED_DATA")
    if given:
        return Path(given)
    repo_root = Path(__file__).resolve().parents[3]
    return repo_root.parent / "shared" / "data"


def youtube_spam_path() -> Path:
    return shared_data_dir() / "comment-spam" / "youtube-spam.jsonl"


def load_youtube_spam(path: Path | None = None) -> list[dict]:
    """Rows of the YouTube Spam Collection file (see its README): text, author, label, video."""
    path = path or youtube_spam_path()
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
