"""`masthead import wxr`: a WordPress export stored whole, its authors as newsroom accounts.

Owns what storing a WXR file adds to the shared `services.store_records` path. Public:
`import_wxr_file(path, tz=None, max_bytes=MAX_BYTES, progress=no_progress) -> ImportReport`
(`progress` wraps the stream of posts, for the CLI's bar: core/progress.py) and
`store_authors(authors, report) -> dict[str, Author]`.

- The file is checked before anything is written: its size (a limit, so a runaway or hostile
  file is refused at once rather than read for minutes), then the parser's first pass, which
  reads the whole file and refuses anything not well-formed. Only then does one transaction
  create the authors and stream the posts through `store_records` in batches (read by a
  second process when the file is big: `reading_process`).
- Authors become contributors who cannot log in: a Django user with an unusable password
  (an editor sets one when that person joins the newsroom), the contributor role, and an
  `articles.Author` with the WordPress display name, which the posts' bylines then find by
  name. An existing account is never reused or re-roled just because its username matches a
  WordPress login (a WordPress "admin" must not demote or take over Masthead's admin); the new
  account gets a free variant of the login instead.
- Idempotent like the rest: an author whose byline already exists with an account is left
  alone, and posts are recognised by their external keys.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from masthead.articles import services as article_services
from masthead.articles.models import Author, Section, Tag
from masthead.core.progress import no_progress
from masthead.newsroom.roles import assign_role

from . import reading_process
from .records import AuthorRecord, ImportReport, RecordError
from .services import store_records
from .sources.wxr import parse_wxr

# Well above the 500 MB exports the importer is built for (issue 6) and far below what would
# take minutes to read; `--max-size` raises it for a bigger site.
MAX_BYTES = 1024 * 1024 * 1024


def check_size(path: Path, max_bytes: int) -> None:
    """Refuse a missing, non-regular or oversized file before reading a byte of it."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise RecordError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise RecordError(f"cannot read {path}: not a regular file")
    if stat.st_size > max_bytes:
        raise RecordError(
            f"{path.name} is {stat.st_size:,} bytes, over the {max_bytes:,}-byte limit "
            "(raise it with --max-size if the file is genuine)"
        )


class _WxrSource:
    """The export's posts, for `reading_process` (its report is complete once they are read)."""

    def __init__(self, export):
        self.export, self.name = export, export.path.name

    def records(self):
        return self.export.articles()

    def result(self):
        return self.export.report

    def position(self) -> int:
        return 0  # the bar counts posts (`progress` above), not bytes


def import_wxr_file(path: str | Path, tz=None, max_bytes: int = MAX_BYTES,
                    progress=no_progress) -> ImportReport:
    """Import a WordPress export: all of it, or nothing (RecordError with one line)."""
    path = Path(path)
    check_size(path, max_bytes)
    export = parse_wxr(path, tz or settings.TIME_ZONE)
    report = ImportReport()
    sections, tags = Section.objects.count(), Tag.objects.count()
    try:
        with transaction.atomic():
            store_authors(export.authors, report)
            posts = reading_process.records(_WxrSource(export), path.stat().st_size,
                                            done=lambda parsed: setattr(export, "report", parsed))
            store_records(progress(posts, export.posts, "post"), report)
    finally:
        export.close()
    # The parser's report (skipped items, dropped shortcodes) is complete once consumed.
    report.add_skips(export.report)
    report.count("section", n=Section.objects.count() - sections)
    report.count("tag", n=Tag.objects.count() - tags)
    return report


def store_authors(authors: list[AuthorRecord], report: ImportReport) -> dict[str, Author]:
    """Each export author as a byline with a contributor account; returns them by name."""
    stored: dict[str, Author] = {}
    for record in authors:
        record.clean()
        name = record.name.strip()[:150] or "Staff"  # as get_or_create_author names it
        if name in stored:
            continue
        author = Author.objects.filter(name=name).select_related("user").first()
        if author is not None and author.user is not None:
            report.count("author", created=False)
        else:
            if author is None:
                author = article_services.get_or_create_author(name, bio=record.bio)
            author.user = _contributor(record, name)
            author.save(update_fields=["user"])
            report.count("author")
        stored[name] = author
    return stored


def _contributor(record: AuthorRecord, name: str):
    User = get_user_model()
    user = User(username=_free_username(record.login or name), email=record.email[:254])
    first, _, last = name.partition(" ")
    user.first_name, user.last_name = first[:150], last[:150]
    user.set_unusable_password()
    user.save()
    assign_role(user, "contributor")
    return user


def _free_username(login: str) -> str:
    # Django's username characters; WordPress logins may also hold spaces.
    base = re.sub(r"[^\w.@+-]", "_", login.strip())[:140] or "author"
    User = get_user_model()
    candidate, n = base, 2
    while User.objects.filter(username__iexact=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate
