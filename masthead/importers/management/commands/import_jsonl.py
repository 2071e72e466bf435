"""`masthead import jsonl FILE`: articles (and their comments) from JSON Lines."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.articles.models import Section
from masthead.core.progress import Progress
from masthead.importers import reading_process
from masthead.importers.records import ImportReport, RecordError
from masthead.importers.services import store_records
from masthead.importers.sources.jsonl import JsonlSource, parse_jsonl


class Command(BaseCommand):
    help = "Import articles from a JSON Lines file (one object a line; see CONTRACT.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the .jsonl file, or - for standard input")
        parser.add_argument("--section",
                            help="slug of an existing section for articles without one")

    def handle(self, file, section=None, **options):
        default_section = None
        if section:
            default_section = Section.objects.filter(slug=section).first()
            if default_section is None:
                raise CommandError(f"no section with slug {section!r}", returncode=2)
        try:
            stream = open(file, "rb") if file != "-" else sys.stdin.buffer
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}", returncode=2) from None
        # The bar counts bytes read: the one total known before parsing (a line count is not).
        size = os.fstat(stream.fileno()).st_size if file != "-" else 0
        report = ImportReport()
        try:
            if reading_process.usable(size):  # a second process reads while this one stores
                with Progress("import jsonl").counting_bytes(size) as bar:
                    records = reading_process.records(
                        JsonlSource(stream, file), size, progress=bar.update,
                        done=lambda parsed: report.notes.extend(parsed.notes))
                    store_records(records, report, default_section=default_section)
            else:
                with Progress("import jsonl").reading(stream, size or None) as reader:
                    store_records(parse_jsonl(reader, report=report), report,
                                  default_section=default_section)
        except RecordError as exc:
            raise CommandError(f"{file}: {exc} (nothing imported)", returncode=2) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(report.summary())
