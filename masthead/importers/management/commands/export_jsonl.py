"""`masthead export jsonl [FILE]`: every article, with its comments, as JSON Lines."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.articles.models import Article
from masthead.core.files import atomic_output
from masthead.core.progress import Progress, stderr_is_terminal
from masthead.importers.exporters.jsonl import export_lines


class Command(BaseCommand):
    help = "Export all articles (and comments) as JSON Lines, to FILE or standard output."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-")
        parser.add_argument("--with-private-data", action="store_true",
                            help="include commenter email addresses (handle with care)")

    def handle(self, file, with_private_data, **options):
        # No bar between JSON lines printed on the same terminal.
        progress = Progress("export jsonl", enabled=stderr_is_terminal() and not (
            file == "-" and sys.stdout.isatty()))
        lines = progress.track(export_lines(with_private_data=with_private_data),
                               total=Article.objects.count() if progress.enabled else None)
        if file == "-":
            for line in lines:
                self.stdout.write(line)
            return
        count = 0
        try:
            with atomic_output(file) as out:
                for line in lines:
                    out.write(line + "\n")
                    count += 1
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}", returncode=2) from None
        self.stderr.write(f"exported {count} articles to {file}")
