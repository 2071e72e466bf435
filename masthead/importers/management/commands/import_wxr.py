"""`masthead import wxr FILE`: a WordPress export (posts, pages, authors, comments, redirects)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from masthead.core.progress import Progress
from masthead.importers.records import RecordError
from masthead.importers.wxr_store import MAX_BYTES, import_wxr_file


class Command(BaseCommand):
    help = "Import a WordPress export file (WXR 1.0-1.2); all of it or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xml file from WordPress's Tools > Export")
        parser.add_argument("--timezone", help="the WordPress site's time zone, for posts "
                            "without a GMT date (default: Masthead's TIME_ZONE)")
        parser.add_argument("--max-size", type=int, default=MAX_BYTES // 2**20, metavar="MB",
                            help="refuse bigger files (default %(default)s MB)")

    def handle(self, file, timezone=None, max_size=None, **options):
        try:
            report = import_wxr_file(file, timezone, max_bytes=max_size * 2**20,
                                     progress=Progress("import wxr").track)
        except RecordError as exc:
            raise CommandError(f"{exc} (nothing imported)", returncode=2) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(report.summary())
