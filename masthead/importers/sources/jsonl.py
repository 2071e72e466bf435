"""JSON Lines source: one article object a line (CONTRACT.md, "JSON Lines article format").

Every line is validated before anything is stored, so a bad line anywhere means nothing is
imported and the user is told which line and why. Fields the format does not know are not an
error (exports from other systems carry extras) but are reported, once per field name with a
count; three common other names are read as ours (`ALIASES`, issue 16: a corpus with
`category` and `date` was imported with no sections and today's dates, without a word).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import IO

from django.utils import timezone

from ..records import ArticleRecord, CommentRecord, ImportReport, RecordError

STATUSES = {"published", "draft", "scheduled"}
TYPES = {"article", "page"}
COMMENT_STATUSES = {"pending", "approved", "spam", "trash"}
FIELDS = {"id", "title", "body", "section", "tags", "author", "authors", "published_at",
          "updated_at", "standfirst", "status", "type", "slug", "image", "image_alt",
          "image_caption", "comments"}
COMMENT_FIELDS = {"id", "author", "email", "url", "body", "status", "created_at", "parent"}
# Other systems' names for our fields, read when our own name is absent (docs/importing.md).
ALIASES = {"category": "section", "date": "published_at", "author_name": "author"}


def apply_aliases(obj: dict) -> tuple[dict, list[str]]:
    """`obj` with aliased fields renamed to ours; also the aliases that were used. An alias
    beside our own field is left in place, so it is reported as unknown (ours wins)."""
    used = [alias for alias, ours in ALIASES.items() if alias in obj and ours not in obj]
    if not used:
        return obj, used
    obj = dict(obj)
    for alias in used:
        obj[ALIASES[alias]] = obj.pop(alias)
    return obj, used


class FieldNotes:
    """Unknown and aliased field names seen in a file, with counts, for the import report."""

    def __init__(self):
        self.unknown: dict[str, list[int]] = {}  # name -> [records, first line]
        self.aliased: dict[str, list[int]] = {}

    def see(self, obj: dict, used_aliases: list[str], number: int) -> None:
        for alias in used_aliases:
            self._add(self.aliased, alias, number)
        for name in obj.keys() - FIELDS:
            self._add(self.unknown, name, number)
        comments = obj.get("comments")
        if isinstance(comments, list):
            names = set()
            for c in comments:
                if isinstance(c, dict):
                    names |= c.keys() - COMMENT_FIELDS
            for name in names:
                self._add(self.unknown, f"comments[].{name}", number)

    @staticmethod
    def _add(table: dict, name: str, number: int) -> None:
        entry = table.setdefault(name, [0, number])
        entry[0] += 1

    def lines(self) -> list[str]:
        out = [f"read '{alias}' as '{ALIASES[alias]}' in {n} record(s) (first on line {first})"
               for alias, (n, first) in sorted(self.aliased.items())]
        for name, (n, first) in sorted(self.unknown.items()):
            what = (f"'{name}' (the record has '{ALIASES[name]}')" if name in ALIASES
                    else f"unknown field '{name}'")
            out.append(f"ignored {what} in {n} record(s) (first on line {first})")
        return out


def parse_datetime(value, where: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}: expected an ISO 8601 date, got {type(value).__name__}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"{where}: {value!r} is not an ISO 8601 date") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _text(obj: dict, name: str, where: str, required: bool = False) -> str:
    value = obj.get(name)
    if value is None:
        if required:
            raise RecordError(f"{where}: '{name}' is required")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{where}: '{name}' must be a string")
    if "\x00" in value:
        raise RecordError(f"{where}: '{name}' contains a NUL character")
    if required and not value.strip():
        raise RecordError(f"{where}: '{name}' must not be empty")
    return value


def _comment(obj, where: str) -> CommentRecord:
    if not isinstance(obj, dict):
        raise RecordError(f"{where}: each comment must be an object")
    status = obj.get("status") or "approved"
    if status not in COMMENT_STATUSES:
        raise RecordError(f"{where}: comment status must be one of {sorted(COMMENT_STATUSES)}")
    return CommentRecord(
        key=str(obj.get("id") or ""),
        author=_text(obj, "author", where) or "Anonymous",
        body=_text(obj, "body", where, required=True),
        email=_text(obj, "email", where),
        url=_text(obj, "url", where),
        status=status,
        created_at=parse_datetime(obj.get("created_at"), f"{where} created_at"),
        parent_key=str(obj.get("parent") or ""),
    )


def record_from_object(obj, where: str) -> ArticleRecord:
    if not isinstance(obj, dict):
        raise RecordError(f"{where}: expected a JSON object")
    obj, _ = apply_aliases(obj)
    status = obj.get("status") or "published"
    if status not in STATUSES:
        raise RecordError(f"{where}: 'status' must be one of {sorted(STATUSES)}, got {status!r}")
    kind = obj.get("type") or "article"
    if kind not in TYPES:
        raise RecordError(f"{where}: 'type' must be one of {sorted(TYPES)}, got {kind!r}")
    tags = obj.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RecordError(f"{where}: 'tags' must be a list of strings")
    authors = obj.get("authors")
    if authors is None:
        authors = [obj["author"]] if obj.get("author") else []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise RecordError(f"{where}: 'author' must be a string ('authors' a list of strings)")
    comments = obj.get("comments") or []
    if not isinstance(comments, list):
        raise RecordError(f"{where}: 'comments' must be a list")
    key = obj.get("id")
    if key is not None and not isinstance(key, (str, int)):
        raise RecordError(f"{where}: 'id' must be a string")
    if "body" not in obj:
        raise RecordError(f"{where}: 'body' is required")
    record = ArticleRecord(
        title=_text(obj, "title", where, required=True).strip(),
        body=_text(obj, "body", where),  # may be empty (WordPress "no content" posts)
        key=str(key) if key is not None else "",
        kind=kind,
        status=status,
        slug=_text(obj, "slug", where),
        standfirst=_text(obj, "standfirst", where),
        published_at=parse_datetime(obj.get("published_at"), f"{where} published_at"),
        updated_at=parse_datetime(obj.get("updated_at"), f"{where} updated_at"),
        section=_text(obj, "section", where),
        tags=tags,
        authors=authors,
        lead_image_url=_text(obj, "image", where),
        lead_image_alt=_text(obj, "image_alt", where),
        lead_image_caption=_text(obj, "image_caption", where),
        comments=[_comment(c, f"{where} comment {i + 1}") for i, c in enumerate(comments)],
    )
    if len(record.title) > 300:
        raise RecordError(f"{where}: 'title' is longer than 300 characters")
    if status == "scheduled" and record.published_at is None:
        raise RecordError(f"{where}: a scheduled article needs 'published_at'")
    return record


MAX_LINE_BYTES = 64 * 1024 * 1024  # one article with its comments; far above any real one


def parse_jsonl(
    stream: IO[bytes], max_line_bytes: int = MAX_LINE_BYTES, report: ImportReport | None = None
) -> Iterator[ArticleRecord]:
    """Records one by one, so memory stays bounded whatever the file's size.

    The caller stores them inside one transaction: a bad line anywhere rolls back everything.
    Unknown and aliased fields are added to `report.notes` once the file is read.
    """
    notes = FieldNotes()
    number = 0
    while raw := stream.readline(max_line_bytes + 1):
        number += 1
        where = f"line {number}"
        if len(raw) > max_line_bytes:
            raise RecordError(f"{where}: longer than {max_line_bytes:,} bytes")
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            raise RecordError(f"{where}: not valid UTF-8") from None
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"{where}: not valid JSON ({exc.msg})") from None
        if isinstance(obj, dict):
            obj, used = apply_aliases(obj)
            notes.see(obj, used, number)
        yield record_from_object(obj, where)
    if report is not None:
        report.notes += notes.lines()


class JsonlSource:
    """A JSON Lines file's records for `reading_process`, parsed in the process that reads
    it; its result is the parser's report (the notes on unknown and aliased fields)."""

    def __init__(self, stream: IO[bytes], name: str):
        self.name, self._stream, self._report = name, stream, ImportReport()

    def records(self) -> Iterator[ArticleRecord]:
        return parse_jsonl(self._stream, report=self._report)

    def result(self) -> ImportReport:
        return self._report

    def position(self) -> int:
        return self._stream.tell()
