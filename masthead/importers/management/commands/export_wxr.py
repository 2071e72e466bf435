"""`masthead export wxr FILE`: the whole site as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.articles.models import Article
from masthead.core.files import atomic_output
from masthead.core.progress import Progress, stderr_is_terminal
from masthead.importers.exporters.wxr import write_wxr


class Command(BaseCommand):
    help = "Export all articles, pages and comments as a WordPress WXR 1.2 file (- for stdout)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--with-private-data", action="store_true",
                            help="include commenter emails and IP addresses (handle with care)")

    def handle(self, file, with_private_data, **options):
        progress = Progress("export wxr", enabled=stderr_is_terminal() and not (
            file == "-" and sys.stdout.isatty()))
        total = Article.objects.count() if progress.enabled else None
        if file == "-":
            write_wxr(sys.stdout.buffer, with_private_data=with_private_data,
                      progress=lambda items: progress.track(items, total))
            return
        # Written beside the target and renamed at the end (core/files.py): a failed export
        # never leaves a truncated file that looks like a complete one.
        try:
            with atomic_output(file, "wb") as out:
                counts = write_wxr(out, with_private_data=with_private_data,
                                   progress=lambda items: progress.track(items, total))
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}", returncode=2) from None
        self.stderr.write(", ".join(f"{n} {kind}s" for kind, n in counts.items())
                          + f" exported to {file}")
