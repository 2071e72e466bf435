"""`masthead import feed FILE_OR_URL`: RSS, Atom or JSON Feed entries as articles."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from masthead.importers.inputs import DEFAULT_TIMEOUT, import_feed
from masthead.importers.records import RecordError


class Command(BaseCommand):
    help = "Import the entries of an RSS, Atom or JSON Feed file or http(s) URL."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FILE_OR_URL")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                            help="give up fetching a URL after this long (default %(default)s)")
        parser.add_argument("--lenient", action="store_true",
                            help="import what can be salvaged from a feed that is not "
                            "well-formed XML, as feed readers do")

    def handle(self, source, timeout, lenient=False, **options):
        if timeout <= 0:
            raise CommandError("--timeout must be a positive number of seconds", returncode=2)
        try:
            report = import_feed(source, timeout=timeout, lenient=lenient)
        except RecordError as exc:
            raise CommandError(f"{source}: {exc} (nothing imported)", returncode=2) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(report.summary())
