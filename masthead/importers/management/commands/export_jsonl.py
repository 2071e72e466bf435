"""`masthead export jsonl [FILE]`: every article, with its comments, as JSON Lines."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.importers.exporters.jsonl import export_lines


class Command(BaseCommand):
    help = "Export all articles (and comments) as JSON Lines, to FILE or standard output."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-")
        parser.add_argument("--with-private-data", action="store_true",
                            help="include commenter email addresses (handle with care)")

    def handle(self, file, with_private_data, **options):
        try:
            out = open(file, "w", encoding="utf-8") if file != "-" else sys.stdout
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}", returncode=2) from None
        count = 0
        try:
            for line in export_lines(with_private_data=with_private_data):
                out.write(line + "\n")
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
        if file != "-":
            self.stderr.write(f"exported {count} articles to {file}")
